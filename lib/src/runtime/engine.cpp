#include "runtime/engine.hpp"

#include "kernels/dispatch.hpp"
#include "arch/activations.hpp"
#include "arch/validate.hpp"
#include "runtime/clock.hpp"
#include "runtime/pass_batcher.hpp"
#include "runtime/plan_request.hpp"
#include "runtime/row_reader.hpp"
#include "runtime/streamer.hpp"
#include "runtime/weight_layout.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <limits>

namespace edge_rt::runtime {
namespace {

double ms_since(Clock::time_point start) { return ms_between(start, Clock::now()); }

} // namespace

std::size_t default_context_length(const model::ModelConfig& config)
{
    return std::min<std::size_t>(config.n_ctx_train, 2048);
}

std::size_t checked_context_length(const model::ModelConfig& config, std::size_t requested, const std::string& who)
{
    const std::size_t n_ctx = requested ? requested : default_context_length(config);
    if (config.arch == model::Arch::Gpt2 && n_ctx > config.n_ctx_train)
        throw ConfigError(fmt::format("{}: context of {} tokens requested, but GPT-2 has learned positions for {} only",
                                      who, n_ctx, config.n_ctx_train));
    return n_ctx;
}

Engine::Engine(const std::filesystem::path& path, EngineOptions options) : options_(std::move(options))
{
    const auto start = Clock::now();
    source_ = model::open_model(path);
    load();
    load_ms_ = ms_since(start);
}

Engine::Engine(model::ModelSource source, EngineOptions options)
    : source_(std::move(source)), options_(std::move(options))
{
    const auto start = Clock::now();
    load();
    load_ms_ = ms_since(start);
}

Engine::~Engine()
{
    // An embedding caller's io_context is never waited on here: from its own thread that would
    // deadlock, and it may not be running at all. Embedders await shutdown() first.
    if (streamer_ == nullptr || shut_down_ || !executor_->owns_io())
        return;
    try {
        executor_->run_blocking(streamer_->reset()); // no read may still write into a slot
    } catch (...) {
    }
}

plan::PlanRequest Engine::make_request() const
{
    plan::PlanRequest r = base_plan_request(source_, *arch_, n_ctx_, options_.max_batch, options_.logit_rows,
                                            std::max<std::size_t>(options_.sessions, 1));
    r.budget = options_.budget ? options_.budget : std::numeric_limits<std::uint64_t>::max();
    r.strategy = options_.strategy;
    r.prefetch_depth = options_.prefetch_depth;
    return r;
}

void Engine::load()
{
    const auto& c = config();
    if (options_.max_batch == 0)
        throw ConfigError("the prompt chunk (max_batch) must be at least 1 token");
    arch_ = runtime_architecture(source_, options_.kernels ? *options_.kernels : kernels::best_kernels());
    n_ctx_ = checked_context_length(c, options_.n_ctx, c.name);
    request_ = make_request();
    plan_ = plan::make_plan(request_); // BudgetError here: nothing has been read yet

    budget_ = std::make_unique<memory::MemoryBudget>(request_.budget);
    pool_ = std::make_unique<memory::Pool>(*budget_);
    active_threads_ = std::max(options_.threads, 1u);
    executor_ = options_.io ? std::make_unique<exec::Executor>(*options_.io, options_.threads)
                            : std::make_unique<exec::Executor>(options_.threads);
    arch_->set_parallel(executor_->compute().parallel());
    reader_ = io::open_reader(executor_->io(), source_.tensors.files, options_.reader);
    if (!plan_.on_demand.empty())
        rows_ = std::make_unique<RowReader>(*row_readable(arch_->groups().at(plan_.on_demand.front()), source_.tensors),
                                            *pool_, std::min(options_.max_batch, n_ctx_));
    std::vector<SlotLayout> layouts;
    for (const auto& g : plan_.groups)
        layouts.push_back(layout_slot(*arch_, source_.tensors, g.members));
    streamer_ = std::make_unique<Streamer>(plan_, std::move(layouts), *pool_, *reader_, executor_->io());
    batcher_ = std::make_shared<PassBatcher>(
        executor_->io(), [this](std::span<BatchMember* const> members) { return run_pass(members); },
        [this]() -> asio::awaitable<void> {
            if (monitor_) {
                const auto limits = monitor_->limits();
                co_await apply_limits(limits.prefetch_depth, limits.threads);
            }
        });
    if (!options_.io)
        executor_->run_blocking(load_resident());
}

asio::awaitable<void> Engine::load_resident()
{
    const auto start = Clock::now();
    co_await streamer_->load_resident();
    load_bytes_ = reader_->stats().bytes;
    streamer_->prime(); // the first streamed groups load while the caller sets up its session
    if (options_.io)
        load_ms_ += ms_since(start); // the constructor timed the rest
}

asio::awaitable<void> Engine::shutdown()
{
    co_await streamer_->reset();
    shut_down_ = true;
}

asio::awaitable<void> Engine::apply_limits(unsigned prefetch_depth, unsigned threads)
{
    active_threads_ = std::clamp(threads, 1u, std::max(options_.threads, 1u));
    executor_->compute().limit_threads(active_threads_);
    if (prefetch_depth != streamer_->active_slots())
        co_await streamer_->resize_ring(prefetch_depth);
}

void Engine::apply_limits_blocking(unsigned prefetch_depth, unsigned threads)
{
    executor_->run_blocking(apply_limits(prefetch_depth, threads));
}

unsigned Engine::prefetch_depth() const
{
    return streamer_->streamed_groups() == 0 ? 0 : streamer_->active_slots();
}

} // namespace edge_rt::runtime
