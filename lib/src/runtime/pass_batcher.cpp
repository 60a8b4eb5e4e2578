#include "runtime/pass_batcher.hpp"

#include <algorithm>
#include <cstdint>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace edge_rt::runtime {
namespace {

// Clears a StopSource's wake-up however the wait ends (it points at the waiting entry).
struct WakeGuard {
    exec::StopSource* stop;
    ~WakeGuard()
    {
        if (stop)
            stop->on_request({});
    }
};

} // namespace

PassBatcher::PassBatcher(asio::io_context& io, RunPass run, Boundary boundary)
    : io_(io), run_(std::move(run)), boundary_(std::move(boundary))
{
}

asio::awaitable<void> PassBatcher::submit(ForwardStep step, exec::StopSource* stop)
{
    if (stop && stop->requested())
        throw Cancelled("generation stopped on request");
    auto e = std::make_shared<Entry>(io_.get_executor());
    e->member.step = step;
    e->member.step.stop = stop ? &stop->flag() : step.stop;
    exec::Event* event = &e->event;
    e->member.finished = [event] { event->set(); };
    queue_.push_back(e);
    const WakeGuard guard{stop};
    if (stop)
        stop->on_request([event] { event->set(); });
    if (!driving_) {
        driving_ = true;
        asio::co_spawn(io_, drive(shared_from_this()), asio::detached);
    }
    for (;;) {
        co_await e->event.wait();
        if (e->member.done)
            break;
        e->event.reset();
        // Woken by a stop: a waiting step leaves now; one in the pass at its next group boundary.
        if (!e->in_pass && stop && stop->requested()) {
            leave_queue(e);
            throw Cancelled("generation stopped while waiting for its pass");
        }
    }
    if (e->member.error)
        std::rethrow_exception(e->member.error);
}

void PassBatcher::leave_queue(const std::shared_ptr<Entry>& e)
{
    const auto it = std::find(queue_.begin(), queue_.end(), e);
    if (it != queue_.end())
        queue_.erase(it);
}

// Sessions whose step just finished sample their next token on this thread and submit again
// right away: yield while fewer steps wait than the last pass had members (plus the steps that
// queued during it), so they share the next pass instead of leaving the first one to run alone.
// A session alone never yields: its next step finds the queue as full as expected. The first
// pass after the driver starts expects nothing yet, so it waits until the queue stops growing.
asio::awaitable<void> PassBatcher::gather()
{
    const std::size_t want = expected_ != 0 ? expected_ : SIZE_MAX;
    for (int round = 0; round < 8 && queue_.size() < want; ++round) {
        const std::size_t before = queue_.size();
        co_await asio::post(io_, asio::use_awaitable);
        if (round > 0 && queue_.size() == before)
            break;
    }
}

asio::awaitable<void> PassBatcher::drive(std::shared_ptr<PassBatcher> /*self*/)
{
    while (!queue_.empty()) {
        co_await gather();
        if (queue_.empty())
            break; // every waiter was stopped meanwhile
        co_await run_next();
    }
    driving_ = false;
    expected_ = 0; // the next driver starts from nothing known
}

// The boundary runs while the steps still wait in the queue (a stop still takes one out), then
// every step waiting runs in one pass; each ends with the boundary's or the pass's error unless
// the pass finished it early.
asio::awaitable<void> PassBatcher::run_next()
{
    std::exception_ptr error;
    try {
        if (boundary_)
            co_await boundary_();
    } catch (...) {
        error = std::current_exception();
    }
    std::vector<std::shared_ptr<Entry>> batch(queue_.begin(), queue_.end());
    queue_.clear();
    expected_ = batch.size();
    std::vector<BatchMember*> members;
    for (auto& e : batch) {
        e->in_pass = true;
        members.push_back(&e->member);
    }
    if (!error) {
        running_members_ = members.size();
        try {
            co_await run_(members);
        } catch (...) {
            error = std::current_exception();
        }
        running_members_ = 0;
    }
    expected_ += queue_.size(); // steps that arrived during the pass join the next one too
    for (auto& e : batch) {
        if (!e->member.done) {
            e->member.error = error;
            e->member.done = true;
        }
        e->event.set();
    }
}

} // namespace edge_rt::runtime
