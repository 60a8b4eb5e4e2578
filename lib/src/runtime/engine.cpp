#include "runtime/engine.hpp"

#include "kernels/dispatch.hpp"
#include "model/arch/activations.hpp"
#include "model/arch/validate.hpp"
#include "runtime/row_reader.hpp"
#include "runtime/streamer.hpp"
#include "runtime/weight_layout.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <limits>

namespace edge_rt::runtime {
namespace {

double ms_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string group_name(const model::WeightGroup& g)
{
    switch (g.kind) {
    case model::GroupKind::Embedding: return "embedding";
    case model::GroupKind::Output: return "output";
    case model::GroupKind::Layer: break;
    }
    return fmt::format("layer {}", g.layer);
}

// The token embedding can be read a row at a time when it is the group's only tensor and is
// stored as rows (not transposed).
const model::TensorRef* row_readable(const model::WeightGroup& g, const model::TensorTable& tensors)
{
    if (g.kind != model::GroupKind::Embedding || g.weights.size() != 1)
        return nullptr;
    const auto& t = tensors.require(g.weights[0].name);
    return t.transposed ? nullptr : &t;
}

} // namespace

std::size_t default_context_length(const model::ModelConfig& config)
{
    return std::min<std::size_t>(config.n_ctx_train, 2048);
}

Engine::Engine(const std::filesystem::path& path, EngineOptions options) : options_(std::move(options))
{
    const auto start = std::chrono::steady_clock::now();
    source_ = model::open_model(path);
    load();
    load_ms_ = ms_since(start);
}

Engine::Engine(model::ModelSource source, EngineOptions options)
    : source_(std::move(source)), options_(std::move(options))
{
    const auto start = std::chrono::steady_clock::now();
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
    const auto& c = config();
    const std::size_t batch = std::min(options_.max_batch, n_ctx_);
    const std::uint64_t kv_dim = static_cast<std::uint64_t>(c.n_head_kv) * c.head_dim();
    plan::PlanRequest r;
    // KV cache, activations for one prompt chunk, the logits.
    r.fixed_bytes = 2 * std::uint64_t{c.n_layer} * n_ctx_ * kv_dim * sizeof(float) +
                    model::Activations::bytes_for(c, batch, n_ctx_) +
                    std::max<std::uint64_t>(options_.logit_rows, 1) * c.n_vocab * sizeof(float);
    for (const auto& g : arch_->groups()) {
        const auto* rows = row_readable(g, source_.tensors);
        r.groups.push_back({group_name(g), group_slot_bytes(g, source_.tensors),
                            rows ? RowReader::buffer_bytes(*rows, batch) : 0});
    }
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
    arch_ = model::make_architecture(c, options_.kernels ? *options_.kernels : kernels::best_kernels());
    model::validate_tensors(*arch_, source_.tensors);
    n_ctx_ = options_.n_ctx ? options_.n_ctx : default_context_length(c);
    if (c.arch == model::Arch::Gpt2 && n_ctx_ > c.n_ctx_train)
        throw ConfigError(fmt::format("{}: context of {} tokens requested, but GPT-2 has learned positions "
                                      "for {} only",
                                      c.name, n_ctx_, c.n_ctx_train));
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
    if (!options_.io)
        executor_->run_blocking(load_resident());
}

asio::awaitable<void> Engine::load_resident()
{
    const auto start = std::chrono::steady_clock::now();
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

void Engine::apply_limits(unsigned prefetch_depth, unsigned threads)
{
    active_threads_ = std::clamp(threads, 1u, std::max(options_.threads, 1u));
    executor_->compute().limit_threads(active_threads_);
    if (prefetch_depth != streamer_->active_slots())
        executor_->run_blocking(streamer_->resize_ring(prefetch_depth));
}

unsigned Engine::prefetch_depth() const
{
    return streamer_->streamed_groups() == 0 ? 0 : streamer_->active_slots();
}

} // namespace edge_rt::runtime
