// Engine::forward: one batch through every planned group, in order (DESIGN.md §2).
#include "runtime/engine.hpp"
#include "runtime/clock.hpp"
#include "runtime/row_reader.hpp"
#include "runtime/streamer.hpp"


namespace edge_rt::runtime {
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

asio::awaitable<void> Engine::run_groups(const ForwardStep& s, double& compute_ms)
{
    if (rows_)
        co_await embed_on_demand(s);
    for (std::size_t i = 0; i < plan_.groups.size(); ++i) {
        if (s.stop && s.stop->load(std::memory_order_relaxed))
            throw Cancelled("generation stopped on request");
        const ReadyGroup g = co_await streamer_->acquire(i);
        compute_ms += co_await exec::async_compute(
            executor_->compute(),
            [&] {
                const auto start = Clock::now();
                if (g.needs_transpose)
                    transpose_slot(*g.layout, g.data);
                compute_group(i, s, *g.views);
                return ms_between(start, Clock::now());
            },
            asio::use_awaitable);
        streamer_->release(i);
    }
    streamer_->end_pass();
}

asio::awaitable<void> Engine::forward(ForwardStep step)
{
    if (step.stop && step.stop->load(std::memory_order_relaxed))
        throw Cancelled("generation stopped on request");
    streamer_->prime();
    const auto start = Clock::now();
    const io::ReaderStats before = reader_->stats();
    const double io_before = streamer_->io_busy_ms();
    const double stall_before = streamer_->stall_ms();
    PassMetrics m;
    m.passes = 1;
    std::exception_ptr error;
    try {
        co_await run_groups(step, m.compute_ms);
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

} // namespace edge_rt::runtime
