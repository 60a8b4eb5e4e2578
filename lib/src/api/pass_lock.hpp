// Serialises forward passes of the sessions over one engine, first come first served, on the
// io_context thread: one engine streams its weights through one prefetch ring, one pass at a
// time (see edge_rt/session.hpp).
#pragma once

#include <asio/experimental/as_tuple.hpp>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <deque>
#include <memory>

namespace edge_rt::api {

class PassLock {
public:
    explicit PassLock(asio::io_context& io) : io_(io) {}

    /// Returns once the caller holds the lock; FIFO among waiters.
    asio::awaitable<void> acquire()
    {
        if (!busy_) {
            busy_ = true;
            co_return;
        }
        auto turn = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
        waiters_.push_back(turn);
        // Woken by release() cancelling the timer: the lock is then handed over, still busy.
        co_await turn->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }

    void release()
    {
        if (waiters_.empty()) {
            busy_ = false;
            return;
        }
        auto next = std::move(waiters_.front());
        waiters_.pop_front();
        next->cancel();
    }

private:
    asio::io_context& io_;
    bool busy_ = false;
    std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
};

} // namespace edge_rt::api
