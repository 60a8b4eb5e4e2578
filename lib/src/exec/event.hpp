// The runtime's one event type: a waiter suspends until set() wakes it. Built on a timer that
// never expires by itself (Asio's idiom for a waitable condition on one io_context thread):
// set() cancels the wait. Used wherever a coroutine waits for something another coroutine or a
// completion handler makes true (a slot's read, an idle ring, the pass lock's turn).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace edge_rt::exec {

/// Single-threaded (the io_context's thread): no locking. Reusable: reset() re-arms it.
class Event {
public:
    template <typename Executor>
    explicit Event(const Executor& ex) : timer_(ex, asio::steady_timer::time_point::max())
    {
    }

    /// Wakes every waiter; later waits return at once until reset().
    void set()
    {
        set_ = true;
        timer_.cancel();
    }
    /// Unset again: the next wait suspends.
    void reset()
    {
        set_ = false;
        timer_.expires_at(asio::steady_timer::time_point::max());
    }
    bool is_set() const noexcept { return set_; }

    /// Returns once set() was called (at once if it already was).
    asio::awaitable<void> wait()
    {
        while (!set_)
            co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }

private:
    asio::steady_timer timer_;
    bool set_ = false;
};

} // namespace edge_rt::exec
