#include "serve/http_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace edge_rt::serve {
namespace {

// RFC 9110 token characters (method and header names).
bool is_tchar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

void parse_request_line(std::string_view line, Request& r)
{
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        throw HttpError(400, "malformed request line");
    r.method = std::string(line.substr(0, sp1));
    r.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    const auto version = line.substr(sp2 + 1);
    if (!is_token(r.method) || r.target.empty() || r.target.front() != '/')
        throw HttpError(400, "malformed request line");
    // RFC 9112 3.2: the target is visible ASCII (anything else is percent-encoded); a NUL, a
    // bare LF or a byte over 0x7e would otherwise reach the router and the logs.
    if (!std::all_of(r.target.begin(), r.target.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
        throw HttpError(400, "invalid character in the request target");
    if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || !std::isdigit(static_cast<unsigned char>(version[7])))
        throw HttpError(505, "only HTTP/1.x is supported");
    r.minor_version = version[7] - '0';
}

void parse_header(std::string_view line, Request& r)
{
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
        throw HttpError(400, "malformed header line");
    const auto value = trim(line.substr(colon + 1));
    if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\0' || c == '\r' || c == '\n'; }))
        throw HttpError(400, "invalid character in a header value");
    r.headers.emplace_back(lower(line.substr(0, colon)), std::string(value));
}

void read_content_length(Request& r, const Limits& limits)
{
    if (r.header("transfer-encoding"))
        throw HttpError(501, "Transfer-Encoding is not supported; send a Content-Length");
    std::optional<std::size_t> length;
    for (const auto& [name, value] : r.headers) {
        if (name != "content-length")
            continue;
        std::size_t n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (value.empty() || ec != std::errc() || end != value.data() + value.size() || (length && *length != n))
            throw HttpError(400, "invalid Content-Length");
        length = n;
    }
    r.content_length = length.value_or(0);
    if (r.content_length > limits.max_body)
        throw HttpError(413, "request body of " + std::to_string(r.content_length) + " bytes is over the limit of " +
                                 std::to_string(limits.max_body));
}

} // namespace

std::optional<std::string_view> Request::header(std::string_view name) const
{
    for (const auto& [n, v] : headers)
        if (n == name)
            return std::string_view(v);
    return std::nullopt;
}

bool Request::keep_alive() const
{
    const auto c = header("connection");
    const std::string value = c ? lower(*c) : std::string();
    return minor_version >= 1 ? value != "close" : value == "keep-alive";
}

std::size_t find_head_end(std::string_view buffer, const Limits& limits)
{
    const auto end = buffer.find("\r\n\r\n");
    if (end != std::string_view::npos && end + 4 <= limits.max_head)
        return end + 4;
    if (buffer.size() >= limits.max_head || end != std::string_view::npos)
        throw HttpError(431, "request head over the limit of " + std::to_string(limits.max_head) + " bytes");
    return std::string_view::npos;
}

Request parse_head(std::string_view head, const Limits& limits)
{
    Request r;
    std::size_t pos = 0;
    bool first = true;
    while (pos < head.size()) {
        const auto eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos)
            throw HttpError(400, "header line without CRLF");
        const auto line = head.substr(pos, eol - pos);
        pos = eol + 2;
        if (line.empty())
            break;
        if (first)
            parse_request_line(line, r);
        else
            parse_header(line, r);
        first = false;
    }
    if (first)
        throw HttpError(400, "empty request");
    read_content_length(r, limits);
    return r;
}

ParseResult parse(std::string_view bytes, const Limits& limits)
{
    ParseResult out;
    try {
        const auto head_end = find_head_end(bytes, limits);
        if (head_end == std::string_view::npos)
            return out;
        Request r = parse_head(bytes.substr(0, head_end), limits);
        if (r.method == "POST" && !r.header("content-length"))
            throw HttpError(411, "a POST needs a Content-Length");
        if (bytes.size() - head_end < r.content_length)
            return out; // the body is still arriving
        r.body = std::string(bytes.substr(head_end, r.content_length));
        out.consumed = head_end + r.content_length;
        out.request = std::move(r);
        out.state = ParseResult::State::Complete;
    } catch (const HttpError& e) {
        out.state = ParseResult::State::Error;
        out.status = e.status();
        out.error = e.what();
    }
    return out;
}

std::string_view reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 401: return "Unauthorized";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

} // namespace edge_rt::serve
