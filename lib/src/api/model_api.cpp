// edge_rt::Model and async_load: the engine is built on a loader thread (headers, validation,
// plan), then its resident weights are read on the caller's io_context.
#include "api/config_convert.hpp"
#include "api/plan_info.hpp"
#include "api/state.hpp"

#include "exec/executor.hpp"
#include "model/model_config.hpp"
#include "model/model_source.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <filesystem>
#include <fmt/format.h>

namespace edge_rt {
namespace api {
namespace {

// The model's own tokenizer is optional (a model without one runs from ids); one given in
// RuntimeConfig::tokenizer_path must load.
void open_tokenizer(Model::State& state, const std::string& override_path)
{
    const auto& src = state.engine->source();
    if (!override_path.empty()) {
        state.tokenizer = model::load_tokenizer(override_path);
        return;
    }
    try {
        state.tokenizer = model::model_tokenizer(src.gguf, src.path);
    } catch (const Error& e) {
        state.tokenizer = nullptr;
        state.info.tokenizer_error = e.what();
    }
}

// Speculative decoding's draft model, fully resident for `n_ctx` tokens: first planned without
// a limit to learn what that takes, then loaded with exactly that as its share of the budget.
// Throws BudgetError when that share leaves nothing for the target.
std::unique_ptr<runtime::Engine> open_draft(asio::io_context& io, const RuntimeConfig& config, std::size_t n_ctx)
{
    auto options = engine_options(config, io);
    options.budget = 0;
    options.n_ctx = n_ctx;
    options.logit_rows = 1;
    options.strategy = plan::Strategy::SpeculativePrefetch;
    auto source = model::open_model(config.draft_model_path);
    const std::uint64_t share = runtime::Engine(source, options).plan().predicted_peak; // no reads yet
    if (config.budget_bytes && share >= config.budget_bytes)
        throw BudgetError(fmt::format("{}: the draft model needs {} bytes resident, the whole budget is {} bytes",
                                      config.draft_model_path, share, config.budget_bytes));
    options.budget = share;
    return std::make_unique<runtime::Engine>(std::move(source), options);
}

// Draft and target must speak the same vocabulary: the same size and, when both files carry
// a tokenizer, the same bytes for every id.
void check_vocabularies(const Model::State& state, const std::string& path, const std::string& draft_path)
{
    const auto& target = state.engine->config();
    const auto& draft = state.draft->config();
    if (target.n_vocab != draft.n_vocab)
        throw ConfigError(fmt::format("the draft model {} has a vocabulary of {} tokens, the model {} one of {}: they must match",
                                      draft_path, draft.n_vocab, path, target.n_vocab));
    std::unique_ptr<model::Tokenizer> draft_tokenizer;
    try {
        draft_tokenizer = model::model_tokenizer(state.draft->source().gguf, state.draft->source().path);
    } catch (const Error&) {
        return; // no tokenizer to compare: the sizes match
    }
    if (!state.tokenizer)
        return;
    for (std::int32_t id = 0; id < static_cast<std::int32_t>(target.n_vocab); ++id)
        if (state.tokenizer->token_bytes(id) != draft_tokenizer->token_bytes(id))
            throw ConfigError(fmt::format("the draft model {} and the model {} have different vocabularies "
                                          "(token {} differs): they must match",
                                          draft_path, path, id));
}

// Loader-thread part: everything but the resident reads.
std::unique_ptr<Model::State> open_state(asio::io_context& io, const std::string& path, const RuntimeConfig& config)
{
    auto state = std::make_unique<Model::State>(io);
    auto options = engine_options(config, io);
    state->draft_max = draft_max(config);
    if (!config.draft_model_path.empty()) {
        auto source = model::open_model(path);
        state->draft = open_draft(io, config, runtime::checked_context_length(source.config, config.ctx_size, path));
        const std::uint64_t share = state->draft->budget_bytes();
        if (options.budget)
            options.budget -= share; // the draft's share, charged first
        try {
            state->engine = std::make_unique<runtime::Engine>(std::move(source), options);
        } catch (const BudgetError& e) {
            // The planner names only what was left: say where the rest went.
            throw BudgetError(fmt::format("{}: what the budget of {} bytes leaves after the draft model {}'s {} bytes", e.what(),
                                          config.budget_bytes, config.draft_model_path, share));
        }
    } else {
        state->engine = std::make_unique<runtime::Engine>(std::filesystem::path(path), options);
    }
    const auto& e = *state->engine;
    const auto& src = e.source();
    open_tokenizer(*state, config.tokenizer_path);
    const auto* t = state->tokenizer.get();
    state->bos = t ? t->bos() : model::special_token_id(src.gguf, "tokenizer.ggml.bos_token_id");
    state->eos = t ? t->eos() : model::special_token_id(src.gguf, "tokenizer.ggml.eos_token_id");
    const auto& c = e.config();
    auto& info = state->info;
    info.name = c.name;
    info.arch = c.arch_name.empty() ? (c.arch == model::Arch::Gpt2 ? "gpt2" : "llama") : c.arch_name;
    info.n_vocab = c.n_vocab;
    info.n_layer = c.n_layer;
    info.n_ctx = e.n_ctx();
    info.has_tokenizer = t != nullptr;
    info.kernels = e.arch().kernels().name;
    info.io_backend = std::string(e.reader().backend_name());
    info.direct_io = e.reader().direct_io();
    info.threads = e.options().threads;
    state->plan = plan_info(e.plan(), e.n_ctx());
    if (state->draft)
        check_vocabularies(*state, path, config.draft_model_path);
    return state;
}

// On the io_context's thread: the monitor's timer belongs to it. It samples only while
// generations run (generate_op starts and stops it).
void make_monitor(Model::State& state, const MonitorConfig& m)
{
    if (!m.enabled)
        return;
    const auto& e = *state.engine;
    const monitor::Limits max{std::max(e.plan().slots, 1u), e.options().threads};
    state.monitor = std::make_unique<monitor::Monitor>(state.io, monitor::Sampler(m.root),
                                                       monitor::Policy(max, policy_config(m)),
                                                       std::chrono::milliseconds(m.interval_ms), m.on_change);
    state.engine->set_monitor(state.monitor.get()); // applied before every pass, for every session
}

asio::awaitable<Model> load(asio::io_context& io, std::string path, RuntimeConfig config)
{
    auto loader = std::make_shared<exec::ComputePool>(1);
    auto state = co_await exec::async_compute(
        *loader, [&io, &path, &config] { return open_state(io, path, config); }, asio::use_awaitable);
    loader.reset();
    co_await state->engine->load_resident();
    if (state->draft)
        co_await state->draft->load_resident();
    make_monitor(*state, config.monitor);
    co_return make_model(std::move(state));
}

} // namespace

Model make_model(std::unique_ptr<Model::State> state)
{
    // The last handle waits for the engine's reads on the io_context, then frees it there. If
    // the io_context is destroyed before that runs, the coroutine's frame still frees the state.
    auto release = [](Model::State* s) {
        asio::co_spawn(
            s->io,
            [owned = std::unique_ptr<Model::State>(s)]() -> asio::awaitable<void> {
                owned->monitor.reset();
                co_await owned->engine->shutdown();
                if (owned->draft)
                    co_await owned->draft->shutdown();
            },
            asio::detached);
    };
    return Model(std::shared_ptr<Model::State>(state.release(), release));
}

} // namespace api

const ModelInfo& Model::info() const { return state_->info; }

asio::io_context& Model::io() const { return state_->io; }

const PlanInfo& Model::plan() const { return state_->plan; }

std::string Model::explain_plan() const
{
    const auto& e = *state_->engine;
    auto request = e.plan_request(); // without a budget: explain the one that holds the model
    request.budget = e.budget_bytes();
    return e.plan().explain(request);
}

ModelMetrics Model::metrics() const
{
    const auto& e = *state_->engine;
    const auto& t = e.totals();
    ModelMetrics m;
    m.load_ms = e.load_ms();
    m.load_bytes_read = e.load_bytes_read();
    m.budget_bytes = e.budget_bytes();
    m.budget_used_bytes = e.budget().current();
    m.budget_peak_bytes = e.budget().peak();
    if (const auto* d = state_->draft.get()) { // its share is charged beside the target's
        m.draft_budget_bytes = d->budget_bytes();
        m.budget_bytes += d->budget_bytes();
        m.budget_used_bytes += d->budget().current();
        m.budget_peak_bytes += d->budget().peak();
    }
    m.passes = t.passes;
    m.steps = t.steps;
    m.tokens = t.tokens;
    m.wall_ms = t.wall_ms;
    m.compute_ms = t.compute_ms;
    m.io_ms = t.io_ms;
    m.stall_ms = t.stall_ms;
    m.bytes_read = t.bytes_read;
    m.read_gb_s = t.read_gb_s();
    m.overlap = t.overlap();
    m.peak_rss_bytes = runtime::peak_rss_bytes();
    m.prefetch_depth = e.prefetch_depth();
    m.active_threads = e.active_threads();
    m.sessions = state_->sessions;
    m.active_generations = state_->active;
    m.running_steps = e.running_steps();
    m.queued_steps = e.queued_steps();
    return m;
}

namespace detail {

void start_load(asio::io_context& io, std::string path, RuntimeConfig config,
                std::function<void(std::exception_ptr, Model)> complete)
{
    asio::co_spawn(io, api::load(io, std::move(path), std::move(config)),
                   [complete = std::move(complete)](std::exception_ptr e, Model m) { complete(e, std::move(m)); });
}

} // namespace detail
} // namespace edge_rt
