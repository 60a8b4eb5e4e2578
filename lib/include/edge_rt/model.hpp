// A loaded model on the caller's io_context; async_load, the Asio asynchronous operation that
// opens, plans and reads it without blocking that io_context; and async_plan, which only plans.
//
// Threading: the io_context must be run by ONE thread (the engine's coroutines, reads and
// completions all run on it; only compute leaves it, on the model's compute pool).
#pragma once

#include "edge_rt/config.hpp"
#include "edge_rt/export.hpp"
#include "edge_rt/metrics.hpp"
#include "edge_rt/operation.hpp"

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace edge_rt {

/// What a model is, from its headers.
struct ModelInfo {
    /// The model's name (general.name, or the file name).
    std::string name;
    /// The architecture as the file names it: GGUF general.architecture ("llama", "qwen2",
    /// "phi2", "gpt2") or a Hugging Face folder's model_type ("llama", "qwen2", "phi", "gpt2").
    std::string arch;
    /// Vocabulary size.
    std::uint32_t n_vocab = 0;
    /// Transformer layers.
    std::uint32_t n_layer = 0;
    /// Context length the sessions are planned for (RuntimeConfig::ctx_size or the default).
    std::size_t n_ctx = 0;
    /// Whether text prompts work (the model carries a tokenizer, or one was given).
    bool has_tokenizer = false;
    /// Why there is none, when has_tokenizer is false.
    std::string tokenizer_error;
    /// The compute kernels chosen for this CPU (e.g. "avx2", "neon-dotprod", "scalar").
    std::string kernels;
    /// The weight reader: "uring" or "pread"; and whether it reads with O_DIRECT.
    std::string io_backend;
    bool direct_io = false;
    /// Compute pool threads.
    unsigned threads = 0;
};

/// The plan a RuntimeConfig gives a model: what stays resident, what streams, what it costs.
struct PlanInfo {
    /// The strategy carried out (never Strategy::Auto).
    Strategy strategy = Strategy::SpeculativePrefetch;
    /// Context length planned for.
    std::size_t n_ctx = 0;
    /// Weight groups read whole (the token embedding read a row at a time is not counted).
    std::size_t groups = 0;
    /// Of those, the ones read once at load and kept, and the ones read every forward pass.
    std::size_t resident_groups = 0;
    std::size_t streamed_groups = 0;
    /// Indices of the weight groups (in the order inspect lists them) read a row at a time.
    std::vector<std::size_t> on_demand{};
    /// Prefetch ring slots and the bytes of each (0 when every weight is resident).
    unsigned slots = 0;
    std::uint64_t slot_bytes = 0;
    /// KV cache, activations, logits and row buffers.
    std::uint64_t fixed_bytes = 0;
    std::uint64_t resident_bytes = 0;
    /// Weight bytes read every forward pass.
    std::uint64_t streamed_bytes_per_pass = 0;
    /// What the pool will hold at most: fixed + resident + ring. Never above the budget.
    std::uint64_t predicted_peak_bytes = 0;
    /// The smallest budget this model runs in with this context.
    std::uint64_t minimum_budget_bytes = 0;
    /// The cost model's estimate (assumed read and compute speeds; a guide, not a measurement).
    double predicted_ms_per_token = 0;
    double predicted_tokens_per_s = 0;
    /// Whether reads run while earlier groups compute.
    bool overlaps = false;
    /// Whether every weight is resident (nothing streams).
    bool fully_resident = false;
};

/// A shared handle to a loaded model: resident weights, the prefetch ring, the tokenizer and
/// the one memory budget every session over it draws from. Copies share the model. When the
/// last handle (and the last session) goes, the engine waits for its reads in flight on the
/// io_context and is freed there: keep running the io_context until run() returns.
class EDGE_RT_API Model {
public:
    /// An empty handle (valid() == false).
    Model() = default;

    /// Whether this handle holds a model.
    bool valid() const noexcept { return state_ != nullptr; }
    /// Name, architecture, sizes. Requires valid().
    const ModelInfo& info() const;
    /// Counters of the load, the budget and the forward passes so far. Requires valid(); call
    /// on the io_context's thread (the counters change there).
    ModelMetrics metrics() const;
    /// The io_context the model runs on. Requires valid().
    asio::io_context& io() const;
    /// The plan the model was loaded with. Requires valid().
    const PlanInfo& plan() const;
    /// The plan explained in words, with the budget it was made for (what `run -v` prints).
    std::string explain_plan() const;

    /// Internal state (opaque to users).
    struct State;
    /// Wraps loaded state (used by the library).
    explicit Model(std::shared_ptr<State> state) : state_(std::move(state)) {}
    /// The shared state (used by the library).
    const std::shared_ptr<State>& state() const noexcept { return state_; }

private:
    std::shared_ptr<State> state_;
};

namespace detail {
/// Type-erased start of async_plan; `complete` runs on the io_context.
EDGE_RT_API void start_plan(asio::io_context& io, std::string path, RuntimeConfig config,
                            std::function<void(std::exception_ptr, PlanInfo)> complete);
/// Type-erased start of async_load; `complete` runs on the io_context.
EDGE_RT_API void start_load(asio::io_context& io, std::string path, RuntimeConfig config,
                            std::function<void(std::exception_ptr, Model)> complete);
} // namespace detail

/// Opens `path` (a GGUF file or a SafeTensors folder), plans it under `config` and reads its
/// resident weights, asynchronously on `io`: headers, validation and planning run on a loader
/// thread, the weight reads complete through the reader on `io`, so `io` keeps serving other
/// work meanwhile.
///
/// Completion signature: `void(std::exception_ptr error, Model model)`; `error` holds an
/// edge_rt::Error (FormatError / IoError naming the file, ConfigError, BudgetError) on failure.
/// With asio::use_awaitable the error is thrown. Cancellation: not supported (a load runs to
/// its end; drop the Model to free it).
template <typename CompletionToken>
auto async_load(asio::io_context& io, std::string path, RuntimeConfig config, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::exception_ptr, Model)>(
        [&io](auto handler, std::string p, RuntimeConfig c) {
            detail::start_load(io, std::move(p), std::move(c),
                               detail::completion<void(std::exception_ptr, Model)>(std::move(handler), io));
        },
        token, std::move(path), std::move(config));
}

/// Reads `path`'s headers and plans it under `config` (budget, strategy, prefetch depth, context)
/// exactly as async_load would, without reading any weight: on a planner thread, so `io` is not
/// blocked. Use it to choose a budget before loading.
///
/// Completion signature: `void(std::exception_ptr error, PlanInfo plan)`, delivered on the
/// handler's associated executor (default: `io`'s). `error` holds an edge_rt::Error on failure:
/// FormatError / IoError naming the file, ConfigError, or BudgetError naming the minimum when the
/// budget is too small. Cancellation: not supported (planning takes milliseconds).
template <typename CompletionToken>
auto async_plan(asio::io_context& io, std::string path, RuntimeConfig config, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::exception_ptr, PlanInfo)>(
        [&io](auto handler, std::string p, RuntimeConfig c) {
            detail::start_plan(io, std::move(p), std::move(c),
                               detail::completion<void(std::exception_ptr, PlanInfo)>(std::move(handler), io));
        },
        token, std::move(path), std::move(config));
}

} // namespace edge_rt
