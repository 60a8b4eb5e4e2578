// Engine::forward: the steps of every waiting session through every planned group, in order
// (DESIGN.md §2), each streamed group read once for the whole batch.
#include "runtime/engine.hpp"
#include "runtime/clock.hpp"
#include "runtime/pass_batcher.hpp"
#include "runtime/row_reader.hpp"
#include "runtime/streamer.hpp"

#include <algorithm>

namespace edge_rt::runtime {
namespace {

// Finishes the members whose stop was requested (they leave the pass here, at a group
// boundary, and their waiters wake now); the others stay in `live`.
void drop_stopped(std::vector<BatchMember*>& live)
{
    std::erase_if(live, [](BatchMember* m) {
        if (!m->step.stop || !m->step.stop->load(std::memory_order_relaxed))
            return false;
        m->error = std::make_exception_ptr(Cancelled("generation stopped on request"));
        m->done = true;
        if (m->finished)
            m->finished();
        return true;
    });
}

} // namespace

void Engine::compute_group(std::size_t planned, const ForwardStep& s,
                           const std::vector<std::vector<kernels::WeightView>>& views) const
{
    const auto& members = plan_.groups[planned].members;
    for (std::size_t m = 0; m < members.size(); ++m) {
        const auto& g = arch_->groups()[members[m]];
        const model::GroupWeights w = views[m];
        if (options_.on_group)
            options_.on_group(members[m]);
        switch (g.kind) {
        case model::GroupKind::Embedding: arch_->embed(w, s.tokens, s.pos0, *s.act); break;
        case model::GroupKind::Layer: arch_->layer(g.layer, w, *s.act, *s.kv, s.pos0); break;
        case model::GroupKind::Output:
            if (s.logit_rows > 0)
                arch_->output(g, w, *s.act, s.logit_rows, s.logits);
            break;
        }
    }
}

asio::awaitable<void> Engine::embed_on_demand(const ForwardStep& s)
{
    std::vector<std::int32_t> local;
    streamer_->io_started();
    std::exception_ptr error;
    kernels::WeightView table;
    try {
        table = co_await rows_->read(*reader_, s.tokens, local);
    } catch (...) {
        error = std::current_exception();
    }
    streamer_->io_finished();
    if (error)
        std::rethrow_exception(error);
    co_await exec::async_compute(
        executor_->compute(),
        [&] {
            if (options_.on_group)
                options_.on_group(plan_.on_demand.front());
            arch_->embed({&table, 1}, local, s.pos0, *s.act);
        },
        asio::use_awaitable);
}

// Each group is acquired once and computed for every live member in turn (one task on the
// compute pool, so the members' kernels use all its threads one after another).
asio::awaitable<void> Engine::run_groups(std::vector<BatchMember*>& live, double& compute_ms)
{
    if (rows_)
        for (BatchMember* m : live)
            co_await embed_on_demand(m->step);
    for (std::size_t i = 0; i < plan_.groups.size(); ++i) {
        drop_stopped(live);
        if (live.empty())
            throw Cancelled("generation stopped on request");
        const ReadyGroup g = co_await streamer_->acquire(i);
        compute_ms += co_await exec::async_compute(
            executor_->compute(),
            [&] {
                const auto start = Clock::now();
                if (g.needs_transpose)
                    transpose_slot(*g.layout, g.data);
                for (const BatchMember* m : live)
                    compute_group(i, m->step, *g.views);
                return ms_between(start, Clock::now());
            },
            asio::use_awaitable);
        streamer_->release(i);
    }
    streamer_->end_pass();
}

asio::awaitable<void> Engine::run_pass(std::span<BatchMember* const> members)
{
    std::vector<BatchMember*> live(members.begin(), members.end());
    drop_stopped(live);
    if (live.empty())
        co_return; // nothing started: the ring is untouched
    streamer_->prime();
    const auto start = Clock::now();
    const io::ReaderStats before = reader_->stats();
    const double io_before = streamer_->io_busy_ms();
    const double stall_before = streamer_->stall_ms();
    PassMetrics m;
    m.passes = 1;
    for (const BatchMember* member : live) {
        ++m.steps;
        m.tokens += member->step.tokens.size();
    }
    std::exception_ptr error;
    try {
        co_await run_groups(live, m.compute_ms);
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        co_await streamer_->reset(); // no read in flight, numbering restarts with the next pass
        std::rethrow_exception(error);
    }
    m.wall_ms = ms_between(start, Clock::now());
    m.io_ms = streamer_->io_busy_ms() - io_before;
    m.bytes_read = reader_->stats().bytes - before.bytes;
    m.stall_ms = streamer_->stall_ms() - stall_before;
    last_ = m;
    totals_ += m;
}

asio::awaitable<void> Engine::forward(ForwardStep step, exec::StopSource* stop)
{
    co_await batcher_->submit(step, stop);
}

std::size_t Engine::queued_steps() const { return batcher_->queued(); }
std::size_t Engine::running_steps() const { return batcher_->running(); }

} // namespace edge_rt::runtime
