// A small, strict HTTP/1.1 request parser: request line, headers, Content-Length body. It
// parses what the service needs and refuses the rest with the right status, so a malformed or
// oversized request never reaches the handlers. Debian bookworm packages no maintained C/C++
// HTTP parser that fits standalone Asio (docs/SERVICE.md says what was checked). `parse` is a
// pure function of the bytes, the entry point a fuzz target calls.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edge_rt::serve {

/// A request the parser refuses: the HTTP status to answer with and why.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

struct Limits {
    std::size_t max_head = 8 * 1024;  // request line + headers
    std::size_t max_body = 64 * 1024;
};

struct Request {
    std::string method;
    std::string target;
    int minor_version = 1; // HTTP/1.x
    std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
    std::size_t content_length = 0;
    std::string body;

    /// The first header named `name` (lower case).
    std::optional<std::string_view> header(std::string_view name) const;
    /// HTTP/1.1 keeps the connection unless "Connection: close"; HTTP/1.0 only with keep-alive.
    bool keep_alive() const;
};

/// The end of the head (index just past "\r\n\r\n") in `buffer`, or npos if it is not complete.
/// Throws HttpError 431 when no complete head fits in the limit.
std::size_t find_head_end(std::string_view buffer, const Limits& limits);

/// Parses a complete head (through the blank line). Throws HttpError 400 (malformed), 501
/// (Transfer-Encoding), 505 (not HTTP/1.x), 413 (Content-Length over the body limit).
Request parse_head(std::string_view head, const Limits& limits);

/// What `parse` makes of the bytes received so far on a connection.
struct ParseResult {
    enum class State { Incomplete, Complete, Error };
    State state = State::Incomplete;
    Request request;        ///< Complete: the request, body included
    std::size_t consumed = 0; ///< Complete: bytes of this request (a pipelined next one follows)
    int status = 0;         ///< Error: the HTTP status to answer with
    std::string error;      ///< Error: why
};

/// Parses one request (head and Content-Length body) from the start of `bytes`. Never throws
/// for any input: a refusal is State::Error with its status.
ParseResult parse(std::string_view bytes, const Limits& limits);

/// "Bad Request", "Not Found", … for the statuses the service sends.
std::string_view reason_phrase(int status);

} // namespace edge_rt::serve
