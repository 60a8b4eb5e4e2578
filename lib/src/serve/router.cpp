#include "serve/router.hpp"

#include "serve/api_error.hpp"
#include "serve/auth.hpp"

#include <array>
#include <utility>

namespace edge_rt::serve {
namespace {

struct Path {
    std::string_view path;
    std::string_view method;
    Endpoint endpoint;
};

constexpr std::array kPaths{
    Path{"/health", "GET", Endpoint::Health},
    Path{"/metrics", "GET", Endpoint::Metrics},
    Path{"/v1/models", "GET", Endpoint::Models},
    Path{"/v1/chat/completions", "POST", Endpoint::ChatCompletions},
    Path{"/v1/completions", "POST", Endpoint::Completions},
};

} // namespace

Endpoint route(const Request& r, std::string_view api_key)
{
    const std::string_view target(r.target);
    const auto path = target.substr(0, target.find('?'));
    for (const auto& p : kPaths) {
        if (p.path != path)
            continue;
        if (r.method != p.method)
            throw ApiError(405, "invalid_request_error",
                           std::string(path) + " takes " + std::string(p.method) + ", not " + r.method, {},
                           "method_not_allowed");
        // /health answers without the key, so a load balancer can probe it.
        if (p.endpoint != Endpoint::Health && !authorized(r.header("authorization"), api_key))
            throw ApiError(401, "authentication_error",
                           "missing or wrong API key (send Authorization: Bearer <key>)", {}, "invalid_api_key");
        return p.endpoint;
    }
    throw ApiError(404, "invalid_request_error", "no such endpoint: " + std::string(path), {}, "not_found");
}

} // namespace edge_rt::serve
