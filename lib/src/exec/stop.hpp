// Stop state of ONE generation: the flag its passes check at group boundaries, plus the wake-up
// of whatever that generation is waiting for (its turn at the pass lock). Every generation owns
// one; nothing is shared between sessions.
#pragma once

#include <atomic>
#include <functional>
#include <utility>

namespace edge_rt::exec {

class StopSource {
public:
    /// Asks the generation to stop: a running pass ends at its next group boundary, a wait for
    /// the pass lock ends now. Call on the io_context's thread (the wake-up runs there).
    void request()
    {
        flag_.store(true, std::memory_order_relaxed);
        if (auto wake = std::exchange(wake_, {}))
            wake();
    }
    bool requested() const noexcept { return flag_.load(std::memory_order_relaxed); }
    /// What a pass checks between groups (read on the io_context's thread).
    const std::atomic<bool>& flag() const noexcept { return flag_; }
    /// While waiting: how to wake the waiter if a stop is requested (empty: none).
    void on_request(std::function<void()> wake) { wake_ = std::move(wake); }

private:
    std::atomic<bool> flag_{false};
    std::function<void()> wake_;
};

} // namespace edge_rt::exec
