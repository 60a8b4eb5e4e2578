// edge_rt::Model and async_load: the engine is built on a loader thread (headers, validation,
// plan), then its resident weights are read on the caller's io_context.
#include "api/state.hpp"

#include "exec/executor.hpp"
#include "model/model_config.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <filesystem>

namespace edge_rt {
namespace api {
namespace {

runtime::EngineOptions engine_options(const RuntimeConfig& c, asio::io_context& io)
{
    if (c.threads == 0)
        throw ConfigError("RuntimeConfig: threads must be at least 1");
    if (c.prefetch_depth == 0)
        throw ConfigError("RuntimeConfig: prefetch_depth must be at least 1");
    runtime::EngineOptions e;
    e.budget = c.budget_bytes;
    e.strategy = static_cast<plan::Strategy>(static_cast<int>(c.strategy));
    e.prefetch_depth = c.prefetch_depth;
    e.threads = c.threads;
    e.reader.backend = static_cast<io::IoBackend>(static_cast<int>(c.io_backend));
    e.reader.direct_io = c.direct_io;
    e.n_ctx = c.ctx_size;
    e.max_batch = c.max_batch;
    e.io = &io;
    return e;
}

// Loader-thread part: everything but the resident reads. The tokenizer is optional, as in `run`.
std::unique_ptr<Model::State> open_state(asio::io_context& io, const std::string& path, const RuntimeConfig& config)
{
    auto state = std::make_unique<Model::State>(io);
    state->engine = std::make_unique<runtime::Engine>(std::filesystem::path(path), engine_options(config, io));
    const auto& src = state->engine->source();
    try {
        state->tokenizer = model::model_tokenizer(src.gguf, src.path);
    } catch (const Error&) {
        state->tokenizer = nullptr;
    }
    const auto* t = state->tokenizer.get();
    state->bos = t ? t->bos() : model::special_token_id(src.gguf, "tokenizer.ggml.bos_token_id");
    state->eos = t ? t->eos() : model::special_token_id(src.gguf, "tokenizer.ggml.eos_token_id");
    const auto& c = state->engine->config();
    state->info = {c.name, c.arch == model::Arch::Gpt2 ? "gpt2" : "llama", c.n_vocab, c.n_layer,
                   state->engine->n_ctx(), t != nullptr};
    return state;
}

asio::awaitable<Model> load(asio::io_context& io, std::string path, RuntimeConfig config)
{
    auto loader = std::make_shared<exec::ComputePool>(1);
    auto state = co_await exec::async_compute(
        *loader, [&io, &path, &config] { return open_state(io, path, config); }, asio::use_awaitable);
    loader.reset();
    co_await state->engine->load_resident();
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
                co_await owned->engine->shutdown();
            },
            asio::detached);
    };
    return Model(std::shared_ptr<Model::State>(state.release(), release));
}

} // namespace api

const ModelInfo& Model::info() const { return state_->info; }

asio::io_context& Model::io() const { return state_->io; }

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
    m.passes = t.passes;
    m.wall_ms = t.wall_ms;
    m.compute_ms = t.compute_ms;
    m.io_ms = t.io_ms;
    m.stall_ms = t.stall_ms;
    m.bytes_read = t.bytes_read;
    m.sessions = state_->sessions;
    m.active_generations = state_->active;
    return m;
}

namespace detail {

void start_load(asio::io_context& io, std::string path, RuntimeConfig config,
                std::function<void(std::exception_ptr, Model)> complete)
{
    asio::co_spawn(io, api::load(io, std::move(path), config),
                   [complete = std::move(complete)](std::exception_ptr e, Model m) { complete(e, std::move(m)); });
}

} // namespace detail
} // namespace edge_rt
