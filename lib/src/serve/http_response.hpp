// HTTP/1.1 responses as bytes: status line, the headers the service sends, the body.
#pragma once

#include "serve/api_error.hpp"

#include <string>
#include <string_view>

namespace edge_rt::serve {

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    bool keep_alive = true;
    unsigned retry_after_s = 0; ///< > 0: a Retry-After header
    bool www_authenticate = false; ///< 401: WWW-Authenticate: Bearer
};

/// The response for an API error (OpenAI's error JSON).
Response error_response(const ApiError& e, bool keep_alive);

/// Status line, headers (Content-Length always) and body.
std::string serialize(const Response& r);

/// The head of a server-sent-events stream (the connection closes when it ends).
std::string sse_head();

} // namespace edge_rt::serve
