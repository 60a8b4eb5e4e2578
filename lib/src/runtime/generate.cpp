#include "runtime/generate.hpp"
#include "runtime/clock.hpp"


namespace edge_rt::runtime {
namespace {

// A token boundary: no pass runs, so the ring may change size.
void apply_monitor(Session& session, const GenerateOptions& options)
{
    if (options.monitor == nullptr)
        return;
    const auto limits = options.monitor->limits();
    session.engine().apply_limits(limits.prefetch_depth, limits.threads);
}

} // namespace

GenerateResult generate(Session& session, std::span<const std::int32_t> prompt, const GenerateOptions& options,
                        const TokenCallback& on_token)
{
    GenerateResult result;
    auto& stats = result.stats;
    Sampler sampler(options.sampler);
    std::vector<std::int32_t> history(prompt.begin(), prompt.end());

    auto last = Clock::now();
    std::span<const float> logits;
    try {
        apply_monitor(session, options);
        logits = session.forward(prompt);
    } catch (const Cancelled&) {
        result.stop = StopReason::Cancelled;
        return result;
    }
    auto now = Clock::now();
    stats.prefill_tokens = prompt.size();
    stats.prefill_ms = ms_between(last, now);

    while (result.generated.size() < options.max_tokens) {
        const auto sample_start = Clock::now();
        const std::int32_t id = sampler.sample(logits, history);
        now = Clock::now();
        stats.sample_ms += ms_between(sample_start, now);
        stats.token_ms.push_back(ms_between(last, now));
        last = now;
        result.generated.push_back(id);
        history.push_back(id);
        if (on_token)
            on_token(id, logits);
        if (options.eos && id == *options.eos) {
            result.stop = StopReason::Eos;
            return result;
        }
        if (result.generated.size() == options.max_tokens)
            break;
        if (session.position() >= session.n_ctx()) {
            result.stop = StopReason::ContextFull;
            return result;
        }
        const auto decode_start = Clock::now();
        try {
            apply_monitor(session, options);
            logits = session.forward(std::span<const std::int32_t>(&id, 1));
        } catch (const Cancelled&) {
            result.stop = StopReason::Cancelled;
            return result;
        }
        stats.decode_ms += ms_between(decode_start, Clock::now());
        ++stats.decode_tokens;
    }
    result.stop = StopReason::MaxTokens;
    return result;
}

} // namespace edge_rt::runtime
