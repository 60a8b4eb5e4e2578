// edge_rt::Server: binds, accepts on the model's io_context, and hands each connection to
// serve_connection (or refuses it over max_connections).
#include "api/state.hpp"
#include "edge_rt/error.hpp"
#include "serve/connection.hpp"
#include "serve/server_state.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <ctime>
#include <fmt/format.h>

namespace edge_rt {
namespace {

using asio::ip::tcp;

void check(const ServerConfig& c)
{
    if (c.max_sessions == 0 || c.max_connections == 0)
        throw ConfigError("server: max_sessions and max_connections must be at least 1");
    if (c.max_body_bytes == 0 || c.max_head_bytes < 256)
        throw ConfigError("server: max_body_bytes must be at least 1 and max_head_bytes at least 256");
    if (c.header_timeout_ms == 0 || c.idle_timeout_ms == 0)
        throw ConfigError("server: header_timeout_ms and idle_timeout_ms must be at least 1");
}

void bind(Server::State& s)
{
    std::error_code ec;
    const auto address = asio::ip::make_address(s.config.host, ec);
    if (ec)
        throw ConfigError(fmt::format("server: '{}' is not an IP address", s.config.host));
    const tcp::endpoint endpoint(address, s.config.port);
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        s.acceptor.bind(endpoint, ec);
    if (!ec)
        s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw IoError(fmt::format("server: cannot listen on {}:{}: {}", s.config.host, s.config.port, ec.message()));
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> s)
{
    while (!s->stopping) {
        auto [ec, socket] = co_await s->acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) {
            if (ec == asio::error::operation_aborted || !s->acceptor.is_open())
                break; // stopped
            continue;  // e.g. out of descriptors for a moment
        }
        std::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto ex = s->acceptor.get_executor();
        if (s->connections.size() >= s->config.max_connections)
            asio::co_spawn(ex, serve::refuse_connection(s, std::move(socket)), asio::detached);
        else
            asio::co_spawn(ex, serve::serve_connection(s, std::move(socket)), asio::detached);
    }
}

} // namespace

Server::Server(Model model, ServerConfig config)
{
    if (!model.valid())
        throw ConfigError("server: the model handle is empty");
    check(config);
    state_ = std::make_shared<State>(std::move(model), std::move(config));
    auto& s = *state_;
    const auto& m = *s.model.state();
    s.chat = serve::resolve_chat_format(s.config.chat_template, s.config.model_path, m.tokenizer.get(), m.bos, m.eos);
    s.model_id = s.config.model_id.empty() ? m.info.name : s.config.model_id;
    s.limits.max_body = s.config.max_body_bytes;
    s.limits.max_head = s.config.max_head_bytes;
    s.created = static_cast<std::int64_t>(std::time(nullptr));
    bind(s);
    s.log("chat template: " + s.chat.source);
    asio::co_spawn(s.acceptor.get_executor(), accept_loop(state_), asio::detached);
}

Server::~Server() { stop(); }

std::string Server::host() const { return state_->config.host; }

unsigned short Server::port() const
{
    std::error_code ec;
    const auto endpoint = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void Server::stop()
{
    auto& s = *state_;
    if (s.stopping)
        return;
    s.stopping = true;
    std::error_code ignored;
    s.acceptor.close(ignored);
    // Closing a socket completes its reads: each connection's disconnect watch then cancels its
    // generation, which frees its session when it completes.
    for (auto* socket : s.connections)
        socket->close(ignored);
}

} // namespace edge_rt
