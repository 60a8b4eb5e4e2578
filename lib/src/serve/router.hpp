// Which endpoint a request asks for, after the checks every request passes: a known path, the
// right method, the API key.
#pragma once

#include "serve/http_request.hpp"

#include <string_view>

namespace edge_rt::serve {

enum class Endpoint { Health, Metrics, Models, ChatCompletions, Completions };

/// The endpoint of `r`. Throws ApiError: 404 unknown path, 405 wrong method, 401 a missing or
/// wrong key (every path but /health needs it when `api_key` is set).
Endpoint route(const Request& r, std::string_view api_key);

} // namespace edge_rt::serve
