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
#include "edge_rt/operation.hpp"

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/dispatch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
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
    /// Parse special tokens written in the text (`<|im_start|>`, `<|eot_id|>`) as their ids;
    /// otherwise they are spelled out as plain text.
    bool parse_special = false;
    /// Continue the session's conversation instead of starting over: the KV cache keeps the
    /// history, and only the tokens not in it yet are prefilled: this prompt's, plus the last
    /// token sampled by the previous generation (which no pass has run yet). No BOS is added
    /// when the context already holds tokens. When the turn does not fit in what is left of
    /// the context, the request fails with GenerateErrc::ContextFull (and a message saying
    /// how much is left) and the session is unchanged: reset it, or start over with less.
    bool keep_context = false;
    /// Token ids that end the generation besides the end-of-sequence token (a chat template's
    /// end-of-turn token, e.g. <|im_end|>); reported like EOS (StopReason::Eos).
    std::vector<std::int32_t> stop_ids{};
    /// Do not stop at the end-of-sequence token: generate all max_tokens.
    bool ignore_eos = false;
    /// Tokens to generate at most.
    std::size_t max_tokens = 128;
    /// Sampling settings.
    SamplingConfig sampling;
    /// Called once on the io_context thread when the prompt was checked, before it runs, with
    /// its ids and its decoded text (empty without a tokenizer). Optional.
    std::function<void(std::span<const std::int32_t> ids, std::string_view text)> on_prompt{};
    /// Speculative decoding (none by default). Tokens still reach the handler one at a time,
    /// in order, once accepted.
    SpeculationConfig speculation{};
};

/// A generated token as it arrives.
struct TokenEvent {
    /// The token id.
    std::int32_t id = 0;
    /// The complete UTF-8 text this token finishes (may be empty; valid only during the call).
    std::string_view text;
    /// Timing of this token and of the pass it came from.
    TokenMetrics metrics;
    /// The logits this token was sampled from ([n_vocab], before any penalty; valid only during
    /// the call).
    std::span<const float> logits{};
};

/// Called on the io_context thread for each generated token.
using TokenHandler = std::function<void(const TokenEvent&)>;

/// What a generation produced, also when it was cancelled or failed part-way.
struct GenerateResult {
    /// The prompt's token ids (the request's prompt only).
    std::vector<std::int32_t> prompt_ids;
    /// Generated token ids.
    std::vector<std::int32_t> tokens;
    /// Generated text (without the prompt); without a tokenizer, "<id> " per token.
    std::string text;
    /// The prompt decoded (empty without a tokenizer).
    std::string prompt_text{};
    /// Why it ended.
    StopReason stop = StopReason::MaxTokens;
    /// The failure's one-line message when stop == StopReason::Error.
    std::string error;
    /// Wall time of the prompt's forward pass(es).
    double prefill_ms = 0;
    /// Wall time of the decode passes.
    double decode_ms = 0;
    /// Tokens of the prompt's pass(es) (with keep_context: the prompt plus the conversation's
    /// tokens the cache lacked, usually the previous turn's last sampled one), and tokens the
    /// decode passes added to the context (without speculation: one per pass).
    std::size_t prefill_tokens = 0;
    std::size_t decode_tokens = 0;
    /// Time in the sampler.
    double sample_ms = 0;
    /// Per generated token: wall time from the previous one (the first: from the start).
    std::vector<double> token_ms{};
    /// Speculative decoding's counts (all zero without a draft but `passes`).
    SpeculationMetrics speculation{};
};

/// Error codes of async_generate besides asio::error::operation_aborted.
enum class GenerateErrc {
    Busy = 1,      ///< the session is already generating
    BadRequest,    ///< the request cannot run (prompt empty, over the context, no tokenizer…)
    Failed,        ///< a read or other runtime failure
    ContextFull,   ///< a keep_context turn does not fit in what is left of the context
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
/// A generation starts from an empty context unless its request has keep_context, which
/// continues the conversation held in the KV cache (multi-turn chat). One generation at a
/// time per session; use several sessions for concurrent generations.
class EDGE_RT_API Session {
public:
    /// Creates the session's buffers. Throws BudgetError when the model's budget cannot cover
    /// them, ConfigError for an impossible context.
    explicit Session(const Model& model, SessionConfig config = {});
    /// Frees the buffers (after a running generation, which keeps them alive, completes).
    ~Session();
    /// Sessions move.
    Session(Session&&) noexcept;
    /// Sessions move. A moved-from session holds nothing: n_ctx() and bytes() return 0,
    /// model() throws ConfigError, and async_generate completes with GenerateErrc::BadRequest.
    Session& operator=(Session&&) noexcept;
    /// Whether this session holds its buffers (false once moved from).
    bool valid() const noexcept { return state_ != nullptr; }

    /// The context length in tokens.
    std::size_t n_ctx() const;
    /// Tokens of the conversation so far (prompts and generated tokens, the last sampled one
    /// included); 0 after reset(). A keep_context request prefills those not in the KV cache.
    std::size_t n_past() const;
    /// Tokens the KV cache holds (n_past() minus those no pass has run yet).
    std::size_t n_cached() const;
    /// Forgets the conversation: the next generation starts from an empty context. Throws
    /// ConfigError while a generation runs.
    void reset();
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
/// The io_context a session's model runs on; throws ConfigError for a moved-from session.
EDGE_RT_API asio::io_context& io_of(const Session& session);
/// Type-erased start of async_generate; `complete` runs on the io_context.
EDGE_RT_API void start_generate(Session& session, GenerateRequest request, TokenHandler on_token,
                                asio::cancellation_slot slot,
                                std::function<void(std::error_code, GenerateResult)> complete);
} // namespace detail

/// Resets `session` (unless the request has keep_context), runs the request's prompt, then samples and decodes tokens, calling
/// `on_token` (on the io_context thread) for each. Compute runs on the model's compute pool and
/// reads complete through the reader, so the io_context never blocks.
///
/// Completion signature: `void(std::error_code ec, GenerateResult result)`; `result` holds
/// what was produced in every case. `ec` is empty on success (stop = MaxTokens / Eos /
/// ContextFull), asio::error::operation_aborted when cancelled, or a GenerateErrc (message in
/// result.error). With asio::use_awaitable a non-empty `ec` is thrown as std::system_error.
///
/// Cancellation: per-operation, through the handler's associated cancellation slot (emit from the
/// io_context thread). Honoured types: terminal, partial and total, all alike: a running pass
/// stops at its next group boundary (the prefetch ring is drained), a generation waiting for
/// another session's pass leaves the queue at once; it completes with operation_aborted,
/// stop = Cancelled and the tokens produced so far. The session stays usable.
///
/// Monitor: with RuntimeConfig::monitor enabled, its limits are applied at every token boundary.
///
/// The completion handler is invoked through its associated executor (default: the model's
/// io_context), with a work guard held on it meanwhile.
template <typename CompletionToken>
auto async_generate(Session& session, GenerateRequest request, TokenHandler on_token, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::error_code, GenerateResult)>(
        [&session](auto handler, GenerateRequest r, TokenHandler cb) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto& io = detail::io_of(session);
            detail::start_generate(session, std::move(r), std::move(cb), slot,
                                   detail::completion<void(std::error_code, GenerateResult)>(std::move(handler), io));
        },
        token, std::move(request), std::move(on_token));
}

} // namespace edge_rt

namespace std {
/// GenerateErrc converts to std::error_code.
template <>
struct is_error_code_enum<edge_rt::GenerateErrc> : true_type {};
} // namespace std
