// The HTTP/1.1 request parser: what it accepts and the status it refuses with.
#include "serve/http_request.hpp"

#include <gtest/gtest.h>

namespace edge_rt::serve {
namespace {

int refusal(std::string_view head, Limits limits = {})
{
    try {
        const auto end = find_head_end(head, limits);
        if (end == std::string_view::npos)
            return 0; // incomplete, not refused
        parse_head(head.substr(0, end), limits);
    } catch (const HttpError& e) {
        return e.status();
    }
    return 200;
}

TEST(HttpRequest, ParsesRequestLineHeadersAndContentLength)
{
    const std::string head = "POST /generate?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length:  12 \r\nX-Y:z\r\n\r\n";
    const auto end = find_head_end(head + "body", {});
    ASSERT_EQ(end, head.size());
    const auto r = parse_head(head, {});
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/generate?x=1");
    EXPECT_EQ(r.content_length, 12u);
    EXPECT_EQ(r.header("x-y").value_or(""), "z"); // names are case-insensitive, values trimmed
    EXPECT_TRUE(r.keep_alive());
    EXPECT_FALSE(parse_head("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", {}).keep_alive());
    EXPECT_FALSE(parse_head("GET / HTTP/1.0\r\n\r\n", {}).keep_alive());
    EXPECT_TRUE(parse_head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {}).keep_alive());
}

TEST(HttpRequest, WaitsForACompleteHead)
{
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\n"), 0);
    EXPECT_EQ(refusal(""), 0);
}

TEST(HttpRequest, RefusesMalformedAndUnsupportedRequests)
{
    EXPECT_EQ(refusal("GET /\r\n\r\n"), 400);                               // no version
    EXPECT_EQ(refusal("GET  / HTTP/1.1\r\n\r\n"), 400);                     // double space
    EXPECT_EQ(refusal("GET x HTTP/1.1\r\n\r\n"), 400);                      // not origin-form
    EXPECT_EQ(refusal("G(T / HTTP/1.1\r\n\r\n"), 400);                      // method not a token
    EXPECT_EQ(refusal(std::string_view("GET /a\0b HTTP/1.1\r\n\r\n", 21)), 400);    // NUL in the target (fuzz)
    EXPECT_EQ(refusal("GET /a\nb HTTP/1.1\r\n\r\n"), 400);                  // bare LF in the target
    EXPECT_EQ(refusal("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n"), 400);          // not percent-encoded
    EXPECT_EQ(refusal("GET /caf%C3%A9?q=~a HTTP/1.1\r\n\r\n"), 200);
    EXPECT_EQ(refusal("GET / HTTP/2.0\r\n\r\n"), 505);
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nno colon\r\n\r\n"), 400);
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"), 400);
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"), 400);
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n"), 200);
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
}

TEST(HttpRequest, EnforcesTheSizeLimits)
{
    Limits limits{.max_head = 64, .max_body = 100};
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", limits), 200);
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", limits), 413);
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nX: " + std::string(80, 'a') + "\r\n\r\n", limits), 431);
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nX: " + std::string(80, 'a'), limits), 431); // no end in sight
}

} // namespace
} // namespace edge_rt::serve
