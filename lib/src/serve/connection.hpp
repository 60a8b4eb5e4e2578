// One client connection: read a request within the limits and time allowed, route it, answer;
// keep-alive between requests. A connection is held by shared_ptr so the timers and reads that
// outlive a step can tell whether it is still there.
#pragma once

#include "serve/http_response.hpp"
#include "serve/server_state.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <string>

namespace edge_rt::serve {

struct Connection : std::enable_shared_from_this<Connection> {
    Connection(std::shared_ptr<Server::State> s, asio::ip::tcp::socket sock);

    std::shared_ptr<Server::State> server;
    asio::ip::tcp::socket socket;
    std::string buffer;            ///< received, not yet parsed (a pipelined request may wait here)
    asio::steady_timer deadline;   ///< cancels the socket's reads when it expires
    bool timed_out = false;

    /// Arms the deadline `ms` from now (replacing any earlier one).
    void arm(unsigned ms);
    /// Disarms it.
    void disarm();
    /// Writes `bytes`; false when the peer is gone.
    asio::awaitable<bool> write(std::string bytes);
};

/// Serves `socket` until it closes or the server stops.
asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> server, asio::ip::tcp::socket socket);

/// Answers a connection over the limit with 503 and Retry-After, then closes it.
asio::awaitable<void> refuse_connection(std::shared_ptr<Server::State> server, asio::ip::tcp::socket socket);

} // namespace edge_rt::serve
