// Server-sent events written from synchronous token callbacks: events queue up and one write at
// a time drains them, so a slow client never blocks the io_context (its events wait in memory;
// a generation produces at most max_tokens of them). The 200 head goes out with the first event.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "exec/event.hpp"

namespace edge_rt::serve {

class SseWriter : public std::enable_shared_from_this<SseWriter> {
public:
    /// `on_error` runs (on the io_context) when a write fails: the client is gone.
    SseWriter(asio::ip::tcp::socket& socket, std::function<void()> on_error);

    /// Queues raw bytes of the stream (after the head): an event, or the closing [DONE].
    void send(std::string_view bytes);
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
    exec::Event idle_;
};

} // namespace edge_rt::serve
