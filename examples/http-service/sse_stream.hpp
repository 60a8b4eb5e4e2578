// Server-sent events over a socket, written from synchronous token callbacks: events queue up
// and one write at a time drains them. The 200 header goes out with the first event, so a
// request that fails before producing anything can still be answered with a 4xx.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

namespace edge_rt::service {

class SseStream : public std::enable_shared_from_this<SseStream> {
public:
    /// `on_error` runs (on the io_context) when a write fails: the client is gone.
    SseStream(asio::ip::tcp::socket& socket, std::function<void()> on_error);

    /// Queues `data: <json>\n\n` (with `event: <name>` unless empty).
    void send(const std::string& event, const std::string& json);
    bool started() const { return started_; }
    bool failed() const { return failed_; }
    /// Completes when every queued byte is written (or a write failed).
    asio::awaitable<void> drain();

private:
    void write_next();

    asio::ip::tcp::socket& socket_;
    std::function<void()> on_error_;
    std::string queued_, writing_;
    bool started_ = false, busy_ = false, failed_ = false;
    asio::steady_timer drained_;
};

} // namespace edge_rt::service
