#include "sse_stream.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace edge_rt::service {

SseStream::SseStream(asio::ip::tcp::socket& socket, std::function<void()> on_error)
    : socket_(socket), on_error_(std::move(on_error)), drained_(socket.get_executor(), asio::steady_timer::time_point::max())
{
}

void SseStream::send(const std::string& event, const std::string& json)
{
    if (failed_)
        return;
    if (!started_) {
        started_ = true;
        queued_ += "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                   "Connection: close\r\n\r\n";
    }
    if (!event.empty())
        queued_ += "event: " + event + "\n";
    queued_ += "data: " + json + "\n\n";
    if (!busy_)
        write_next();
}

void SseStream::write_next()
{
    busy_ = true;
    writing_ = std::move(queued_);
    queued_.clear();
    asio::async_write(socket_, asio::buffer(writing_), [self = shared_from_this()](std::error_code ec, std::size_t) {
        self->busy_ = false;
        if (ec) {
            self->failed_ = true;
            self->drained_.cancel();
            self->on_error_();
        } else if (!self->queued_.empty()) {
            self->write_next();
        } else {
            self->drained_.cancel();
        }
    });
}

asio::awaitable<void> SseStream::drain()
{
    while (busy_ && !failed_) {
        drained_.expires_at(asio::steady_timer::time_point::max());
        co_await drained_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
}

} // namespace edge_rt::service
