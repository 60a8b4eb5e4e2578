// The checks every request passes before a handler: path, method and API key; the key compare;
// response serialisation with the headers clients rely on; the parser's pure entry point.
#include "serve/api_error.hpp"
#include "serve/auth.hpp"
#include "serve/http_request.hpp"
#include "serve/http_response.hpp"
#include "serve/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace edge_rt::serve {
namespace {

Request make(std::string method, std::string target, std::string authorization = {})
{
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    if (!authorization.empty())
        r.headers.emplace_back("authorization", std::move(authorization));
    return r;
}

int status_of(const Request& r, std::string_view key)
{
    try {
        route(r, key);
        return 200;
    } catch (const ApiError& e) {
        return e.status();
    }
}

TEST(ServeRouting, KnownPathsAndMethods)
{
    EXPECT_EQ(route(make("GET", "/health"), ""), Endpoint::Health);
    EXPECT_EQ(route(make("GET", "/metrics"), ""), Endpoint::Metrics);
    EXPECT_EQ(route(make("GET", "/v1/models"), ""), Endpoint::Models);
    EXPECT_EQ(route(make("POST", "/v1/chat/completions"), ""), Endpoint::ChatCompletions);
    EXPECT_EQ(route(make("POST", "/v1/completions?x=1"), ""), Endpoint::Completions); // query ignored
    EXPECT_EQ(status_of(make("GET", "/v1/completions"), ""), 405);
    EXPECT_EQ(status_of(make("POST", "/v1/models"), ""), 405);
    EXPECT_EQ(status_of(make("GET", "/v1/completion"), ""), 404);
    EXPECT_EQ(status_of(make("GET", "/"), ""), 404);
}

TEST(ServeRouting, ApiKeyGuardsEverythingButHealth)
{
    const std::string key = "sk-abc123";
    EXPECT_EQ(status_of(make("GET", "/health"), key), 200);
    EXPECT_EQ(status_of(make("GET", "/v1/models"), key), 401);
    EXPECT_EQ(status_of(make("GET", "/metrics"), key), 401);
    EXPECT_EQ(status_of(make("POST", "/v1/completions", "Bearer sk-abc12"), key), 401);
    EXPECT_EQ(status_of(make("POST", "/v1/completions", "Bearer sk-abc1234"), key), 401);
    EXPECT_EQ(status_of(make("POST", "/v1/completions", "Basic sk-abc123"), key), 401);
    EXPECT_EQ(status_of(make("POST", "/v1/completions", "Bearer sk-abc123"), key), 200);
    EXPECT_EQ(status_of(make("POST", "/v1/completions", "bearer sk-abc123"), key), 200); // scheme: any case
    EXPECT_EQ(status_of(make("POST", "/v1/completions", "Bearer SK-ABC123"), key), 401); // key: exact
    try {
        route(make("GET", "/v1/models", "Bearer guess-xyz"), key);
        FAIL() << "no 401";
    } catch (const ApiError& e) {
        const auto body = e.body();
        EXPECT_EQ(body.find("guess-xyz"), std::string::npos); // the offered key is not echoed
        EXPECT_EQ(body.find(key), std::string::npos);
        EXPECT_EQ(nlohmann::json::parse(body)["error"]["type"], "authentication_error");
    }
}

TEST(ServeRouting, ConstantTimeEqualIsEquality)
{
    EXPECT_TRUE(constant_time_equal("", ""));
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "ab"));
    EXPECT_FALSE(constant_time_equal("ab", "abc"));
    EXPECT_FALSE(constant_time_equal("", "a"));
    EXPECT_FALSE(constant_time_equal("a", ""));
    EXPECT_FALSE(constant_time_equal("abcabc", "abc")); // b repeated would match a naive modulo compare
}

TEST(ServeResponse, SerializesStatusHeadersAndBody)
{
    Response r;
    r.body = "{}";
    EXPECT_EQ(serialize(r), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    auto e = error_response(ApiError(429, "rate_limit_error", "busy", {}, "too_many_sessions"), false);
    e.retry_after_s = 3;
    const auto text = serialize(e);
    EXPECT_EQ(text.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u);
    EXPECT_NE(text.find("\r\nRetry-After: 3\r\n"), std::string::npos);
    EXPECT_NE(text.find("\r\nConnection: close\r\n"), std::string::npos);
    const auto body = nlohmann::json::parse(text.substr(text.find("\r\n\r\n") + 4));
    EXPECT_EQ(body["error"]["code"], "too_many_sessions");
    EXPECT_EQ(body["error"]["message"], "busy");
    EXPECT_TRUE(body["error"]["param"].is_null());
    const auto unauthorized = serialize(error_response(ApiError(401, "authentication_error", "no"), true));
    EXPECT_NE(unauthorized.find("\r\nWWW-Authenticate: Bearer\r\n"), std::string::npos);
}

TEST(ServeParse, WholeRequestsPipelinedAndIncomplete)
{
    const std::string one = "POST /v1/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
    const std::string two = "GET /health HTTP/1.1\r\n\r\n";
    auto r = parse(one + two, {});
    ASSERT_EQ(r.state, ParseResult::State::Complete);
    EXPECT_EQ(r.request.body, "{}");
    EXPECT_EQ(r.consumed, one.size());
    r = parse(two, {});
    ASSERT_EQ(r.state, ParseResult::State::Complete);
    EXPECT_EQ(r.request.target, "/health");
    // Every proper prefix is incomplete, never an error.
    for (std::size_t n = 0; n < one.size(); ++n)
        EXPECT_EQ(parse(one.substr(0, n), {}).state, ParseResult::State::Incomplete) << n;
}

TEST(ServeParse, RefusalsCarryTheirStatus)
{
    auto r = parse("POST / HTTP/1.1\r\n\r\n", {});
    EXPECT_EQ(r.state, ParseResult::State::Error);
    EXPECT_EQ(r.status, 411);
    r = parse("GET / HTTP/2.0\r\n\r\n", {});
    EXPECT_EQ(r.status, 505);
    r = parse("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n", {.max_head = 1024, .max_body = 9});
    EXPECT_EQ(r.status, 413);
    r = parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", {});
    EXPECT_EQ(r.status, 501);
    r = parse(std::string(2000, 'a'), {.max_head = 1024, .max_body = 10});
    EXPECT_EQ(r.status, 431);
    r = parse("GET / HTTP/1.1\r\nBad Header\r\n\r\n", {});
    EXPECT_EQ(r.status, 400);
}

} // namespace
} // namespace edge_rt::serve
