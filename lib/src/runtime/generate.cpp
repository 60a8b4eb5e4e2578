#include "runtime/generate.hpp"

#include "runtime/clock.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::runtime {
namespace {

// One generation's working state: what the loop, its passes and its ending share.
struct Run {
    Conversation& session;
    const GenerateOptions& options;
    const GenerateSinks& sinks;
    Generation& out;
    std::optional<model::StreamingDecoder> decoder;
    exec::StopSource never; // the stop source of a generation that cannot be stopped
};

// Holds the pass lock (when there is one) for the scope of one pass.
struct Turn {
    explicit Turn(exec::PassLock* l) : lock(l) {}
    exec::PassLock* lock;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn()
    {
        if (lock)
            lock->release();
    }
};

// A token boundary, then one forward pass: under the pass lock when there is one, after the
// monitor's limits were applied (no pass of this engine runs meanwhile). Throws Cancelled
// when the generation's stop was requested before or during the pass.
asio::awaitable<std::span<const float>> pass(Run& run, std::span<const std::int32_t> tokens)
{
    const auto& o = run.options;
    exec::StopSource& stop = o.stop ? *o.stop : run.never;
    if (o.lock && !co_await o.lock->acquire(stop))
        throw Cancelled("generation stopped while waiting for its turn");
    const Turn turn{o.lock}; // released when the pass ends, by an exception too
    if (stop.requested())
        throw Cancelled("generation stopped on request");
    if (o.monitor) {
        const auto limits = o.monitor->limits();
        co_await run.session.engine().apply_limits(limits.prefetch_depth, limits.threads);
    }
    co_return co_await run.session.forward_async(tokens, false, &stop.flag());
}

std::string piece_of(Run& run, std::int32_t id)
{
    return run.decoder ? run.decoder->push(id) : fmt::format("{} ", id);
}

// Prefill, then sample / report / decode until a stop condition; Cancelled propagates.
asio::awaitable<void> loop(Run& run, std::span<const std::int32_t> prompt)
{
    auto& out = run.out;
    auto& stats = out.stats;
    auto& session = run.session;
    const auto& o = run.options;
    TokenSampler sampler(o.sampler);
    std::vector<std::int32_t> history(prompt.begin(), prompt.end());

    auto last = Clock::now();
    auto logits = co_await pass(run, prompt);
    auto now = Clock::now();
    stats.prefill_tokens = prompt.size();
    stats.prefill_ms = ms_between(last, now);

    while (out.generated.size() < o.max_tokens) {
        const auto sample_start = Clock::now();
        const std::int32_t id = sampler.sample(logits, history);
        now = Clock::now();
        stats.sample_ms += ms_between(sample_start, now);
        const double ms = ms_between(last, now);
        stats.token_ms.push_back(ms);
        last = now;
        out.generated.push_back(id);
        history.push_back(id);
        const std::string piece = piece_of(run, id);
        out.text += piece;
        if (run.sinks.on_token)
            run.sinks.on_token({id, out.generated.size() - 1, piece, logits, ms});
        if ((o.eos && id == *o.eos) || std::find(o.stop_ids.begin(), o.stop_ids.end(), id) != o.stop_ids.end()) {
            out.stop = Ending::Eos;
            co_return;
        }
        if (out.generated.size() == o.max_tokens)
            break;
        if (session.position() >= session.n_ctx()) {
            out.stop = Ending::ContextFull;
            co_return;
        }
        const auto decode_start = Clock::now();
        logits = co_await pass(run, std::span<const std::int32_t>(&id, 1));
        stats.decode_ms += ms_between(decode_start, Clock::now());
        ++stats.decode_tokens;
    }
    out.stop = Ending::MaxTokens;
}

} // namespace

asio::awaitable<void> run_generation(Conversation& session, std::span<const std::int32_t> prompt,
                                     const GenerateOptions& options, const GenerateSinks& sinks, Generation& out)
{
    session.check(prompt); // the one prompt-versus-context check, before anything is reported
    Run run{session, options, sinks, out, std::nullopt, {}};
    if (options.tokenizer) {
        run.decoder.emplace(*options.tokenizer);
        for (const auto id : prompt)
            out.prompt_text += run.decoder->push(id); // primes the spacing of the first piece
    }
    if (sinks.on_prompt)
        sinks.on_prompt(out.prompt_text);
    std::exception_ptr error;
    try {
        co_await loop(run, prompt);
    } catch (const Cancelled&) {
        out.stop = Ending::Cancelled;
    } catch (...) {
        error = std::current_exception();
    }
    if (run.decoder)
        out.text += run.decoder->flush();
    if (error)
        std::rethrow_exception(error);
}

Generation generate(Conversation& session, std::span<const std::int32_t> prompt, const GenerateOptions& options,
                    const TokenCallback& on_token)
{
    Generation out;
    GenerateSinks sinks;
    if (on_token)
        sinks.on_token = [&](const GeneratedToken& t) { on_token(t.id, t.logits); };
    session.engine().executor().run_blocking(run_generation(session, prompt, options, sinks, out));
    return out;
}

} // namespace edge_rt::runtime
