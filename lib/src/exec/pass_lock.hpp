// Serialises forward passes of the sessions over one engine, first come first served, on the
// io_context thread: one engine streams its weights through one prefetch ring, one pass at a
// time (see edge_rt/session.hpp). A waiter whose generation is stopped leaves the queue at once.
#pragma once

#include "exec/event.hpp"
#include "exec/stop.hpp"

#include <algorithm>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <deque>
#include <memory>

namespace edge_rt::exec {

class PassLock {
public:
    explicit PassLock(asio::io_context& io) : io_(io) {}

    /// true once the caller holds the lock (FIFO among waiters); false when `stop` was
    /// requested first (the caller does not hold it then).
    asio::awaitable<bool> acquire(StopSource& stop)
    {
        if (stop.requested())
            co_return false;
        if (!busy_) {
            busy_ = true;
            co_return true;
        }
        auto turn = std::make_shared<Turn>(io_.get_executor());
        waiters_.push_back(turn);
        stop.on_request([turn] { turn->event.set(); });
        co_await turn->event.wait();
        stop.on_request({});
        if (turn->granted)
            co_return true; // handed over, still busy: the caller releases it
        waiters_.erase(std::find(waiters_.begin(), waiters_.end(), turn));
        co_return false;
    }

    void release()
    {
        if (waiters_.empty()) {
            busy_ = false;
            return;
        }
        auto next = std::move(waiters_.front());
        waiters_.pop_front();
        next->granted = true;
        next->event.set();
    }

private:
    struct Turn {
        explicit Turn(const asio::io_context::executor_type& ex) : event(ex) {}
        Event event;
        bool granted = false;
    };

    asio::io_context& io_;
    bool busy_ = false;
    std::deque<std::shared_ptr<Turn>> waiters_;
};

} // namespace edge_rt::exec
