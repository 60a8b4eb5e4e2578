// The service's HTTP/1.1 request parser (lib/src/serve/http_request.cpp), driven like a
// connection drives it: the bytes arrive in arbitrary pieces, `parse` runs on everything received
// so far, a complete request is consumed and the next (pipelined) one follows, an error ends the
// stream. Input: one control byte, then the bytes of the stream. Control bits 0-3 seed the piece
// sizes, bit 4 picks small limits (head 128, body 32 bytes) so the limit paths are reached cheaply.
// Invariants checked (a violation aborts, a finding):
//  - parse never throws; an error has a status the service can name and a message;
//  - a complete request is consistent: body length == Content-Length <= the body limit, the head
//    within its limit, a token method, an origin-form target of visible ASCII only,
//    lower-case token header names, values without CR, LF or NUL;
//  - splitting does not matter: whatever parse answers on a prefix, once it is not Incomplete, is
//    exactly what it answers on the whole rest of the stream; and a request is complete exactly
//    at its last byte (one byte less is Incomplete).
#include "fuzz_support.hpp"
#include "serve/http_request.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using edge_rt::serve::Limits;
using edge_rt::serve::ParseResult;
using edge_rt::serve::Request;

void check(bool ok, const char* what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_http_request: invariant violated: %s\n", what);
        std::abort();
    }
}

bool is_tchar(unsigned char c)
{
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool same(const Request& a, const Request& b)
{
    return a.method == b.method && a.target == b.target && a.minor_version == b.minor_version &&
           a.headers == b.headers && a.content_length == b.content_length && a.body == b.body;
}

bool same(const ParseResult& a, const ParseResult& b)
{
    if (a.state != b.state)
        return false;
    if (a.state == ParseResult::State::Error)
        return a.status == b.status && a.error == b.error;
    if (a.state == ParseResult::State::Complete)
        return a.consumed == b.consumed && same(a.request, b.request);
    return true;
}

void check_request(const ParseResult& p, std::string_view bytes, const Limits& limits)
{
    const Request& r = p.request;
    check(p.consumed <= bytes.size(), "consumed more than received");
    check(r.body.size() == r.content_length, "body length != Content-Length");
    check(r.content_length <= limits.max_body, "body over the limit");
    check(p.consumed >= r.content_length + 4, "consumed less than a head and the body");
    const std::size_t head = p.consumed - r.content_length;
    check(head <= limits.max_head, "head over the limit");
    check(bytes.substr(head - 4, 4) == "\r\n\r\n", "head does not end with a blank line");
    check(bytes.substr(head, r.content_length) == r.body, "body is not the bytes after the head");
    check(!r.method.empty() && std::all_of(r.method.begin(), r.method.end(), [](char c) { return is_tchar(c); }),
          "method is not a token");
    check(!r.target.empty() && r.target.front() == '/', "target is not origin-form");
    check(std::all_of(r.target.begin(), r.target.end(), [](char c) { return c > 0x20 && c < 0x7f; }),
          "target holds a byte that is not visible ASCII");
    check(r.minor_version >= 0 && r.minor_version <= 9, "minor version is not a digit");
    for (const auto& [name, value] : r.headers) {
        check(!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(c) && !std::isupper(static_cast<unsigned char>(c)); }),
              "header name is not a lower-case token");
        check(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, "header value holds CR, LF or NUL");
    }
    if (r.method == "POST")
        check(r.header("content-length").has_value(), "POST without Content-Length accepted");
    check(!r.header("transfer-encoding"), "Transfer-Encoding accepted");
    (void)r.keep_alive();
}

void check_error(const ParseResult& p)
{
    check(edge_rt::serve::reason_phrase(p.status) != "Unknown", "error status without a reason phrase");
    check(p.status >= 400 && p.status < 600, "error status is not 4xx/5xx");
    check(!p.error.empty(), "error without a message");
}

// parse() on the whole rest, and the answers around a complete request's last byte.
ParseResult reference(std::string_view rest, const Limits& limits)
{
    const ParseResult whole = edge_rt::serve::parse(rest, limits);
    if (whole.state == ParseResult::State::Complete) {
        check_request(whole, rest, limits);
        check(same(edge_rt::serve::parse(rest.substr(0, whole.consumed), limits), whole),
              "request not complete at its last byte");
        check(edge_rt::serve::parse(rest.substr(0, whole.consumed - 1), limits).state == ParseResult::State::Incomplete,
              "request complete before its last byte");
    } else if (whole.state == ParseResult::State::Error) {
        check_error(whole);
    }
    return whole;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    Limits limits;
    if (data[0] & 0x10)
        limits = Limits{128, 32};
    const std::string_view stream = edge_rt::fuzz::as_text(data + 1, size - 1);
    std::uint32_t rng = (data[0] & 0x0f) * 2654435761u + 1;
    std::string buffer;
    std::size_t fed = 0;  // bytes of `stream` appended to `buffer`
    std::size_t base = 0; // where `buffer` starts in `stream`
    ParseResult expected = reference(stream, limits);
    while (fed < stream.size()) {
        rng = rng * 1103515245u + 12345u;
        const std::size_t piece = std::min<std::size_t>(1 + (rng >> 16) % 64, stream.size() - fed);
        buffer.append(stream.substr(fed, piece));
        fed += piece;
        for (;;) {
            const ParseResult got = edge_rt::serve::parse(buffer, limits);
            if (got.state == ParseResult::State::Incomplete)
                break;
            check(same(got, expected), "a split changed the result");
            if (got.state == ParseResult::State::Error)
                return 0; // the connection answers and closes
            buffer.erase(0, got.consumed);
            base += got.consumed;
            expected = reference(stream.substr(base), limits);
        }
    }
    check(expected.state == ParseResult::State::Incomplete, "the whole stream parsed, its pieces did not");
    return 0;
}
