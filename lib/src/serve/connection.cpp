#include "serve/connection.hpp"

#include "serve/completion_handler.hpp"
#include "serve/info_endpoints.hpp"
#include "serve/router.hpp"

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>

namespace edge_rt::serve {
namespace {

using asio::ip::tcp;
constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

// Appends what the socket has to the buffer; false at end of stream, on error or timeout.
asio::awaitable<bool> read_more(Connection& c)
{
    std::array<char, 4096> chunk;
    auto [ec, n] = co_await c.socket.async_read_some(asio::buffer(chunk), as_tuple_awaitable);
    if (ec)
        co_return false;
    c.buffer.append(chunk.data(), n);
    co_return true;
}

// A complete head whose body is still to come, with `Expect: 100-continue`: the client waits
// for "100 Continue" before it sends the body. True once the head was complete.
asio::awaitable<bool> continue_if_expected(Connection& c)
{
    const auto end = c.buffer.find("\r\n\r\n");
    if (end == std::string::npos)
        co_return false;
    bool expects = false;
    try {
        const auto r = parse_head(std::string_view(c.buffer).substr(0, end + 4), c.server->limits);
        const auto e = r.header("expect");
        expects = e && (*e == "100-continue" || *e == "100-Continue");
    } catch (const HttpError&) {
        // parse() has refused it already
    }
    if (expects)
        co_await c.write("HTTP/1.1 100 Continue\r\n\r\n");
    co_return true;
}

struct Next {
    std::optional<Request> request; // nullopt: close (peer gone, idle, or answered an error)
};

// Reads the next request: the idle timeout runs until its first byte, the header timeout from
// there until its last. A refused or late request is answered here, and the connection closes.
asio::awaitable<Next> next_request(Connection& c)
{
    const auto& cfg = c.server->config;
    c.arm(c.buffer.empty() ? cfg.idle_timeout_ms : cfg.header_timeout_ms);
    bool started = !c.buffer.empty();
    bool asked_to_continue = false;
    for (;;) {
        auto parsed = parse(c.buffer, c.server->limits);
        if (parsed.state == ParseResult::State::Complete) {
            c.disarm();
            c.buffer.erase(0, parsed.consumed);
            co_return Next{std::move(parsed.request)};
        }
        if (parsed.state == ParseResult::State::Error) {
            c.disarm();
            ++c.server->counters.errors;
            const ApiError e(parsed.status, "invalid_request_error", parsed.error);
            co_await c.write(serialize(error_response(e, false)));
            co_return Next{};
        }
        if (!asked_to_continue && co_await continue_if_expected(c)) // curl waits for it on bodies over 1 KiB
            asked_to_continue = true;
        if (!co_await read_more(c)) {
            c.disarm();
            if (c.timed_out && !c.buffer.empty()) {
                ++c.server->counters.errors;
                const ApiError e(408, "invalid_request_error", "the request did not arrive within " +
                                 std::to_string(cfg.header_timeout_ms) + " ms", {}, "request_timeout");
                co_await c.write(serialize(error_response(e, false)));
            }
            co_return Next{};
        }
        if (!started) { // the first byte: from now on the request has the header timeout
            started = true;
            c.arm(cfg.header_timeout_ms);
        }
    }
}

// Answers one request; false when the connection must close.
asio::awaitable<bool> answer(Connection& c, const Request& r)
{
    auto& s = *c.server;
    ++s.counters.requests;
    const bool keep = r.keep_alive();
    Response out;
    try {
        switch (route(r, s.config.api_key)) {
        case Endpoint::Health: out = health_response(s); break;
        case Endpoint::Metrics: out = metrics_response(s); break;
        case Endpoint::Models: out = models_response(s); break;
        case Endpoint::ChatCompletions: co_return co_await handle_completion(c, r, true);
        case Endpoint::Completions: co_return co_await handle_completion(c, r, false);
        }
    } catch (const ApiError& e) {
        ++s.counters.errors;
        out = error_response(e, keep);
    }
    out.keep_alive = keep;
    s.log(r.method + " " + r.target + " " + std::to_string(out.status));
    co_return co_await c.write(serialize(out)) && keep;
}

} // namespace

Connection::Connection(std::shared_ptr<Server::State> s, tcp::socket sock)
    : server(std::move(s)), socket(std::move(sock)), deadline(socket.get_executor())
{
}

void Connection::arm(unsigned ms)
{
    timed_out = false;
    deadline.expires_after(std::chrono::milliseconds(ms));
    deadline.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self)
            return;
        self->timed_out = true;
        std::error_code ignored;
        self->socket.cancel(ignored); // the pending read completes with operation_aborted
    });
}

void Connection::disarm() { deadline.cancel(); }

asio::awaitable<bool> Connection::write(std::string bytes)
{
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(bytes), as_tuple_awaitable);
    co_return !ec;
}

asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> server, tcp::socket socket)
{
    auto c = std::make_shared<Connection>(server, std::move(socket));
    server->connections.insert(&c->socket);
    try {
        while (!server->stopping) {
            auto next = co_await next_request(*c);
            if (!next.request || !co_await answer(*c, *next.request))
                break;
        }
    } catch (const std::exception& e) {
        server->log(std::string("connection failed: ") + e.what());
    }
    server->connections.erase(&c->socket);
    c->disarm();
    std::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
}

asio::awaitable<void> refuse_connection(std::shared_ptr<Server::State> server, tcp::socket socket)
{
    ++server->counters.rejected_conns;
    const ApiError e(503, "server_error", "too many connections; try again later", {}, "too_many_connections");
    auto r = error_response(e, false);
    r.retry_after_s = server->config.retry_after_s;
    const std::string bytes = serialize(r);
    co_await asio::async_write(socket, asio::buffer(bytes), as_tuple_awaitable);
    std::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

} // namespace edge_rt::serve
