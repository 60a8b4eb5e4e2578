// The generation loop, the only one: prefill the prompt, then sample and decode token by token
// until EOS, the token limit, the end of the context or a stop request. Runs as a coroutine on
// the engine's io_context; every pass is a token boundary where the monitor's limits apply (the
// engine's, Engine::set_monitor), shared with the other sessions over the engine that have a
// step to run then (continuous batching). The public async_generate and the
// synchronous generate() below both run it.
#pragma once

#include "exec/stop.hpp"
#include "tokenizer/tokenizer.hpp"
#include "runtime/token_sampler.hpp"
#include "runtime/conversation.hpp"
#include "runtime/speculation.hpp"

#include <asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::runtime {

struct GenerateOptions {
    std::size_t max_tokens = 128;
    SamplerConfig sampler;
    std::optional<std::int32_t> eos; // stop after sampling this id (it is reported, then generation ends)
    std::vector<std::int32_t> stop_ids; // more ids that end it as eos does (a chat's end of turn)
    /// When given, tokens are decoded to text (the prompt primes the decoder's spacing).
    const model::Tokenizer* tokenizer = nullptr;
    /// This generation's stop state; null = it cannot be stopped.
    exec::StopSource* stop = nullptr;
    /// A draft to verify several tokens per pass (speculative decoding); none = one per pass.
    SpeculationOptions speculation{};
};

/// How a generation ended. Cancelled: its StopSource was requested; what was generated until
/// then is kept.
enum class Ending { MaxTokens, Eos, ContextFull, Cancelled };

struct GenerateStats {
    std::size_t prefill_tokens = 0;
    double prefill_ms = 0.0;        // the prompt's forward pass
    std::size_t decode_tokens = 0;  // tokens decode passes added to the KV cache (the last sampled
                                    // token is not run; without a draft: one per pass)
    double decode_ms = 0.0;
    double sample_ms = 0.0;         // time in the sampler
    std::vector<double> token_ms;   // per generated token: wall time from the previous token (or the
                                    // start, prefill included) until it was sampled
    SpeculationStats speculation;   // passes, draft tokens verified and accepted
};

/// What a generation produced (also when it failed part-way: what it had until then).
struct Generation {
    std::vector<std::int32_t> generated;
    Ending stop = Ending::MaxTokens;
    GenerateStats stats;
    std::string prompt_text; // the prompt decoded (empty without a tokenizer)
    std::string text;        // the generated tokens decoded; "<id> " each without a tokenizer
};

/// One generated token, as it is reported. The views are valid only during the call.
struct GeneratedToken {
    std::int32_t id = 0;
    std::size_t index = 0;
    std::string_view text;         // what this token completes of the text
    std::span<const float> logits; // the distribution it was sampled from, before any penalty
    double ms = 0;                 // from the previous token (the first: from the start)
};

struct GenerateSinks {
    std::function<void(std::string_view prompt_text)> on_prompt; // once, after the prompt was checked
    std::function<void(const GeneratedToken&)> on_token;
};

/// Runs `prompt` from the session's current position, then generates into `out`.
/// Throws ConfigError (from Conversation::check) before anything runs when the prompt does not fit,
/// IoError from reads; `out` then holds what was produced.
asio::awaitable<void> run_generation(Conversation& session, std::span<const std::int32_t> prompt,
                                     const GenerateOptions& options, const GenerateSinks& sinks, Generation& out);

/// For an engine that owns its io_context: run_generation to its end, on the calling thread.
using TokenCallback = std::function<void(std::int32_t id, std::span<const float> logits)>;
Generation generate(Conversation& session, std::span<const std::int32_t> prompt, const GenerateOptions& options,
                    const TokenCallback& on_token = {});

} // namespace edge_rt::runtime
