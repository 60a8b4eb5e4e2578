// Continuous batching of forward passes: every session over an engine submits its next step
// (a prompt chunk, a decode token, a speculative verify batch) here, and one pass of the
// pipeline runs every step waiting at that moment, so each streamed group is read once for all
// of them. Sessions join and leave at pass boundaries: a step submitted while a pass runs waits
// for the next one. Runs on the engine's io_context thread only (no locking).
//
// Stops: a step whose StopSource is requested while it waits leaves the queue at once; one in
// the running pass leaves it at the next group boundary (the engine checks), and only it.
#pragma once

#include "exec/event.hpp"
#include "exec/stop.hpp"
#include "runtime/engine.hpp"

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace edge_rt::runtime {

// Held by a shared_ptr: the driving coroutine keeps it alive, so a driver still to resume when
// its engine is destroyed (its last waiter stopped meanwhile) finds an empty queue, not freed memory.
class PassBatcher : public std::enable_shared_from_this<PassBatcher> {
public:
    /// Runs one pass over its members; sets `done` and `error` of each it finishes early.
    using RunPass = std::function<asio::awaitable<void>(std::span<BatchMember* const>)>;
    /// Awaited before each pass, with no pass running (the monitor's limits).
    using Boundary = std::function<asio::awaitable<void>()>;

    PassBatcher(asio::io_context& io, RunPass run, Boundary boundary);
    PassBatcher(const PassBatcher&) = delete;
    PassBatcher& operator=(const PassBatcher&) = delete;

    /// Completes once `step` ran in a pass; throws Cancelled when `stop` ended it first, or
    /// the pass's error (IoError, ...).
    asio::awaitable<void> submit(ForwardStep step, exec::StopSource* stop);

    /// Steps waiting for the next pass now.
    std::size_t queued() const { return queue_.size(); }
    /// Steps in the pass running now (0 between passes).
    std::size_t running() const { return running_members_; }

private:
    struct Entry {
        explicit Entry(const asio::io_context::executor_type& ex) : event(ex) {}
        BatchMember member;
        exec::Event event; // set when the member is done, or its stop was requested
        bool in_pass = false;
    };

    asio::awaitable<void> drive(std::shared_ptr<PassBatcher> self);
    asio::awaitable<void> gather();
    asio::awaitable<void> run_next();
    void leave_queue(const std::shared_ptr<Entry>& e);

    asio::io_context& io_;
    RunPass run_;
    Boundary boundary_;
    std::deque<std::shared_ptr<Entry>> queue_;
    bool driving_ = false;
    std::size_t running_members_ = 0;
    std::size_t expected_ = 0; // steps the next pass should gather (see gather())
};

} // namespace edge_rt::runtime
