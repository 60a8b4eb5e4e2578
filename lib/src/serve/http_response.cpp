#include "serve/http_response.hpp"

#include "serve/http_request.hpp"

namespace edge_rt::serve {

Response error_response(const ApiError& e, bool keep_alive)
{
    Response r;
    r.status = e.status();
    r.body = e.body();
    r.keep_alive = keep_alive;
    r.www_authenticate = e.status() == 401;
    return r;
}

std::string serialize(const Response& r)
{
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason_phrase(r.status)) + "\r\n";
    out += "Content-Type: " + r.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    if (r.retry_after_s > 0)
        out += "Retry-After: " + std::to_string(r.retry_after_s) + "\r\n";
    if (r.www_authenticate)
        out += "WWW-Authenticate: Bearer\r\n";
    if (!r.keep_alive)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += r.body;
    return out;
}

std::string sse_head()
{
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
           "Connection: close\r\n\r\n";
}

} // namespace edge_rt::serve
