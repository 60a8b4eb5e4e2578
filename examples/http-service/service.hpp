// The example service's shared state and its connection coroutine: HTTP/1.1 on the one
// io_context that also runs the model (see README "Embedding").
#pragma once

#include "http_request.hpp"

#include "edge_rt/runtime.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace edge_rt::service {

struct Service {
    explicit Service(asio::io_context& context) : io(context) {}

    asio::io_context& io;
    Model model;              // empty until loaded
    std::string load_error;   // set when the load failed
    Limits limits;
    std::set<asio::ip::tcp::socket*> connections; // closed on shutdown
    bool stopping = false;
    // Counters for GET /metrics.
    std::uint64_t requests = 0;
    std::uint64_t generations = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t disconnects = 0;
    // How late a 2 ms timer fires on the io_context: a direct measure of anything blocking it.
    std::vector<double> loop_lag_ms; // ring of the last samples
    std::size_t loop_lag_next = 0;
};

/// Samples the io_context's lag every 2 ms until the service stops.
asio::awaitable<void> probe_loop_lag(Service& service);

/// Serves one connection until it closes (keep-alive between requests; a generate stream ends it).
asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, Service& service);

} // namespace edge_rt::service
