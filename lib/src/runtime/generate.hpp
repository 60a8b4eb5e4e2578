// The generation loop: prefill the prompt, then sample and decode token by token until EOS,
// the token limit or the end of the context. Times every step.
#pragma once

#include "monitor/monitor.hpp"
#include "runtime/sampler.hpp"
#include "runtime/session.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace edge_rt::runtime {

struct GenerateOptions {
    std::size_t max_tokens = 128;
    SamplerConfig sampler;
    std::optional<std::int32_t> eos; // stop after sampling this id (it is reported, then generation ends)
    /// When given, its limits are applied (Engine::apply_limits) before every forward pass:
    /// the token boundaries. The monitor must run on the engine's io_context.
    const monitor::Monitor* monitor = nullptr;
};

/// Cancelled: Engine::request_stop() (SIGINT in the CLI) ended generation at a group boundary;
/// what was generated until then is kept.
enum class StopReason { MaxTokens, Eos, ContextFull, Cancelled };

struct GenerateStats {
    std::size_t prefill_tokens = 0;
    double prefill_ms = 0.0;        // the prompt's forward pass
    std::size_t decode_tokens = 0;  // single-token forward passes (the last sampled token is not run)
    double decode_ms = 0.0;
    double sample_ms = 0.0;         // time in the sampler
    std::vector<double> token_ms;   // per generated token: wall time from the previous token (or the
                                    // start, prefill included) until it was sampled
};

struct GenerateResult {
    std::vector<std::int32_t> generated;
    StopReason stop = StopReason::MaxTokens;
    GenerateStats stats;
};

/// Called for each generated token with the logits it was sampled from (before any penalty).
using TokenCallback = std::function<void(std::int32_t id, std::span<const float> logits)>;

/// Runs `prompt` (non-empty) from the session's current position, then generates. Throws
/// ConfigError from Session::forward when the prompt does not fit the context. A stop request
/// ends it with StopReason::Cancelled instead of an exception.
GenerateResult generate(Session& session, std::span<const std::int32_t> prompt, const GenerateOptions& options,
                        const TokenCallback& on_token = {});

} // namespace edge_rt::runtime
