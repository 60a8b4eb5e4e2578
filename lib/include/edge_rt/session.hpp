// A session (one conversation: its own KV cache) over a loaded Model, and async_generate:
// the Asio asynchronous operation that runs a prompt and streams generated tokens.
//
// Several sessions share one model's resident weights and budget. Their forward passes are
// SERIALISED and interleaved at token granularity: one engine owns one prefetch ring, and every
// pass streams the non-resident weights through it in order, once. Two passes at once would
// need a second ring (twice the streaming memory the budget was planned for) and would fight
// over the read bandwidth that bounds a pass anyway; taking turns per pass keeps the memory
// plan exact and gives each running generation a token in turn.
#pragma once

#include "edge_rt/config.hpp"
#include "edge_rt/export.hpp"
#include "edge_rt/metrics.hpp"
#include "edge_rt/model.hpp"

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/dispatch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace edge_rt {

/// Why a generation ended.
enum class StopReason {
    MaxTokens,   ///< the token limit was reached
    Eos,         ///< the end-of-sequence token was sampled (it is reported)
    ContextFull, ///< the session's context is full
    Cancelled,   ///< the operation was cancelled (at a group boundary)
    Error,       ///< it failed; see GenerateResult::error
};

/// One generation request.
struct GenerateRequest {
    /// Prompt text (tokenized with the model's tokenizer; BOS added as the model wants).
    std::string prompt;
    /// Prompt as token ids instead of text (used as given, no BOS added) when non-empty.
    std::vector<std::int32_t> prompt_ids;
    /// Do not start a text prompt with BOS.
    bool no_bos = false;
    /// Tokens to generate at most.
    std::size_t max_tokens = 128;
    /// Sampling settings.
    SamplingConfig sampling;
};

/// A generated token as it arrives.
struct TokenEvent {
    /// The token id.
    std::int32_t id = 0;
    /// The complete UTF-8 text this token finishes (may be empty; valid only during the call).
    std::string_view text;
    /// Timing of this token and of the pass it came from.
    TokenMetrics metrics;
};

/// Called on the io_context thread for each generated token.
using TokenHandler = std::function<void(const TokenEvent&)>;

/// What a generation produced, also when it was cancelled or failed part-way.
struct GenerateResult {
    /// The prompt's token ids.
    std::vector<std::int32_t> prompt_ids;
    /// Generated token ids.
    std::vector<std::int32_t> tokens;
    /// Generated text (without the prompt).
    std::string text;
    /// Why it ended.
    StopReason stop = StopReason::MaxTokens;
    /// The failure's one-line message when stop == StopReason::Error.
    std::string error;
    /// Wall time of the prompt's forward pass(es).
    double prefill_ms = 0;
    /// Wall time of the single-token passes.
    double decode_ms = 0;
};

/// Error codes of async_generate besides asio::error::operation_aborted.
enum class GenerateErrc {
    Busy = 1,      ///< the session is already generating
    BadRequest,    ///< the request cannot run (prompt empty, over the context, no tokenizer…)
    Failed,        ///< a read or other runtime failure
};
/// The category of GenerateErrc.
EDGE_RT_API const std::error_category& generate_category() noexcept;
/// Makes an error_code of GenerateErrc.
inline std::error_code make_error_code(GenerateErrc e) noexcept { return {static_cast<int>(e), generate_category()}; }

/// Per-session settings.
struct SessionConfig {
    /// Context length in tokens; 0 = the model's (RuntimeConfig::ctx_size).
    std::size_t ctx_size = 0;
};

/// One conversation over a Model: a KV cache and activations charged to the model's budget.
/// Each generation starts from an empty context (the session is reset first). One generation
/// at a time per session; use several sessions for concurrent generations.
class EDGE_RT_API Session {
public:
    /// Creates the session's buffers. Throws BudgetError when the model's budget cannot cover
    /// them, ConfigError for an impossible context.
    explicit Session(const Model& model, SessionConfig config = {});
    /// Frees the buffers (after a running generation, which keeps them alive, completes).
    ~Session();
    /// Sessions move.
    Session(Session&&) noexcept;
    /// Sessions move.
    Session& operator=(Session&&) noexcept;

    /// The context length in tokens.
    std::size_t n_ctx() const;
    /// Bytes the session charged to the budget.
    std::size_t bytes() const;
    /// The model.
    const Model& model() const;

    /// Internal state (opaque to users).
    struct State;
    /// The state (used by the library).
    const std::shared_ptr<State>& state() const noexcept { return state_; }

private:
    std::shared_ptr<State> state_;
};

namespace detail {
/// Type-erased start of async_generate; `complete` runs on the io_context.
EDGE_RT_API void start_generate(Session& session, GenerateRequest request, TokenHandler on_token,
                                asio::cancellation_slot slot,
                                std::function<void(std::error_code, GenerateResult)> complete);
} // namespace detail

/// Resets `session`, runs the request's prompt, then samples and decodes tokens, calling
/// `on_token` (on the io_context thread) for each. Compute runs on the model's compute pool and
/// reads complete through the reader, so the io_context never blocks.
///
/// Completion signature: `void(std::error_code ec, GenerateResult result)`; `result` holds
/// what was produced in every case. `ec` is empty on success (stop = MaxTokens / Eos /
/// ContextFull), asio::error::operation_aborted when cancelled, or a GenerateErrc (message in
/// result.error). With asio::use_awaitable a non-empty `ec` is thrown as std::system_error.
///
/// Cancellation: per-operation (the handler's associated cancellation slot; emit from the
/// io_context thread). Any cancellation type stops at the next group boundary of the running
/// pass (or before the next pass), drains the prefetch ring, and completes with
/// operation_aborted and the tokens produced so far; the session stays usable.
template <typename CompletionToken>
auto async_generate(Session& session, GenerateRequest request, TokenHandler on_token, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::error_code, GenerateResult)>(
        [&session](auto handler, GenerateRequest r, TokenHandler cb) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto ex = asio::get_associated_executor(handler, session.model().io().get_executor());
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            detail::start_generate(session, std::move(r), std::move(cb), slot,
                                   [h, ex](std::error_code ec, GenerateResult res) {
                                       asio::dispatch(ex, [h, ec, res = std::move(res)]() mutable {
                                           std::move(*h)(ec, std::move(res));
                                       });
                                   });
        },
        token, std::move(request), std::move(on_token));
}

} // namespace edge_rt

namespace std {
/// GenerateErrc converts to std::error_code.
template <>
struct is_error_code_enum<edge_rt::GenerateErrc> : true_type {};
} // namespace std
