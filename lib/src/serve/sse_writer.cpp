#include "serve/sse_writer.hpp"

#include "serve/http_response.hpp"

#include <asio/write.hpp>

namespace edge_rt::serve {

SseWriter::SseWriter(asio::ip::tcp::socket& socket, std::function<void()> on_error)
    : socket_(socket), on_error_(std::move(on_error)), idle_(socket.get_executor())
{
    idle_.set();
}

void SseWriter::send(std::string_view bytes)
{
    if (failed_)
        return;
    if (!started_) {
        started_ = true;
        queued_ += sse_head();
    }
    queued_ += bytes;
    if (!busy_)
        write_next();
}

void SseWriter::write_next()
{
    busy_ = true;
    idle_.reset();
    writing_ = std::move(queued_);
    queued_.clear();
    asio::async_write(socket_, asio::buffer(writing_), [self = shared_from_this()](std::error_code ec, std::size_t) {
        self->busy_ = false;
        if (ec) {
            self->failed_ = true;
            self->idle_.set();
            self->on_error_();
        } else if (!self->queued_.empty()) {
            self->write_next();
        } else {
            self->idle_.set();
        }
    });
}

asio::awaitable<void> SseWriter::drain() { co_await idle_.wait(); }

} // namespace edge_rt::serve
