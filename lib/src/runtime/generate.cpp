#include "runtime/generate.hpp"

#include "runtime/clock.hpp"
#include "runtime/verify.hpp"

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
    Proposal proposal;                // the draft's guesses of the current pass
    std::vector<std::int32_t> tokens; // the current pass's tokens: the last one and the guesses
};

// A token boundary: the engine's batcher applies the monitor's limits before each pass. Throws
// Cancelled when the generation's stop was requested.
void start_pass(exec::StopSource& stop)
{
    if (stop.requested())
        throw Cancelled("generation stopped on request");
}

exec::StopSource& stop_of(Run& run) { return run.options.stop ? *run.options.stop : run.never; }

// The prompt's passes (logits of its last token only), each shared with whatever other
// sessions of the engine run a step then.
asio::awaitable<std::span<const float>> pass(Run& run, std::span<const std::int32_t> tokens)
{
    exec::StopSource& stop = stop_of(run);
    start_pass(stop);
    co_return co_await run.session.forward_async(tokens, false, &stop);
}

// k starts at the plan's estimate and may grow to the limit as passes are measured; the logits
// of limit + 1 rows are charged now (BudgetError now, not mid-generation). When the budget has
// room for the start only, k never grows past it.
DraftLength draft_length(Conversation& session, const SpeculationOptions& s)
{
    if (!s.draft || s.max_draft == 0)
        return DraftLength(0);
    const std::size_t limit = std::max(s.limit, s.max_draft);
    try {
        session.reserve_logit_rows(limit + 1);
        return DraftLength(s.max_draft, limit);
    } catch (const BudgetError&) {
        session.reserve_logit_rows(s.max_draft + 1);
        return DraftLength(s.max_draft);
    }
}

// One decode step (in a pass shared with the engine's other sessions): `history`'s last token, and after it whatever the draft guesses
// (up to k tokens, as many as the context has room for), all verified at once. The KV cache
// keeps the last token and the accepted guesses; `settled` receives the tokens the pass decided
// (the accepted guesses and the token after them), `rows` the logits they came from.
asio::awaitable<void> decode_pass(Run& run, TokenSampler& sampler, DraftLength& k, std::span<const std::int32_t> history,
                                  std::vector<Settled>& settled, std::span<const float>& rows)
{
    auto& session = run.session;
    auto& spec = run.out.stats.speculation;
    exec::StopSource& stop = stop_of(run);
    start_pass(stop);
    Proposal& proposal = run.proposal;
    proposal.clear();
    const std::size_t room = session.n_ctx() - session.position() - 1; // after the last token
    if (run.options.speculation.draft && room > 0)
        co_await run.options.speculation.draft->propose(history, std::min(k.current(), room), proposal, &stop);
    run.tokens.assign(1, history.back());
    run.tokens.insert(run.tokens.end(), proposal.tokens.begin(), proposal.tokens.end());
    const std::size_t pos0 = session.position();
    const auto decode_start = Clock::now();
    rows = co_await session.forward_async(run.tokens, !proposal.tokens.empty(), &stop);
    run.out.stats.decode_ms += ms_between(decode_start, Clock::now());
    const auto sample_start = Clock::now();
    settled.clear();
    const std::size_t accepted =
        verify(rows, session.engine().config().n_vocab, proposal, sampler, history, settled);
    run.out.stats.sample_ms += ms_between(sample_start, Clock::now());
    session.rewind(pos0 + 1 + accepted); // the rejected guesses' KV entries are overwritten later
    run.out.stats.decode_tokens += 1 + accepted;
    ++spec.passes;
    spec.drafted += proposal.tokens.size();
    spec.accepted += accepted;
    k.update(proposal.tokens.size(), accepted);
    const auto& measured = session.engine().last_pass();
    k.measured(measured.io_ms, measured.compute_ms, measured.tokens);
}

std::string piece_of(Run& run, std::int32_t id)
{
    return run.decoder ? run.decoder->push(id) : fmt::format("{} ", id);
}

// Prefill, then report / decode until a stop condition; Cancelled propagates. Each decode pass
// settles one token, or several when a draft's guesses were accepted: they are reported one at
// a time, in order, exactly as if each had come from a pass of its own.
asio::awaitable<void> loop(Run& run, std::span<const std::int32_t> prompt)
{
    auto& out = run.out;
    auto& stats = out.stats;
    auto& session = run.session;
    const auto& o = run.options;
    const std::size_t n_vocab = session.engine().config().n_vocab;
    TokenSampler sampler(o.sampler);
    DraftLength k = draft_length(session, o.speculation);
    std::vector<std::int32_t> history(prompt.begin(), prompt.end());

    auto last = Clock::now();
    auto rows = co_await pass(run, prompt);
    auto now = Clock::now();
    stats.prefill_tokens = prompt.size();
    stats.prefill_ms = ms_between(last, now);
    if (o.max_tokens == 0) {
        out.stop = Ending::MaxTokens;
        co_return;
    }
    std::vector<Settled> settled;
    const auto sample_start = Clock::now();
    settled.push_back({sampler.sample(rows, history), 0});
    stats.sample_ms += ms_between(sample_start, Clock::now());

    for (;;) {
        for (const auto& t : settled) {
            now = Clock::now();
            const double ms = ms_between(last, now);
            stats.token_ms.push_back(ms);
            last = now;
            out.generated.push_back(t.id);
            history.push_back(t.id);
            const std::string piece = piece_of(run, t.id);
            out.text += piece;
            if (run.sinks.on_token)
                run.sinks.on_token({t.id, out.generated.size() - 1, piece, rows.subspan(t.row * n_vocab, n_vocab), ms});
            if ((o.eos && t.id == *o.eos) ||
                std::find(o.stop_ids.begin(), o.stop_ids.end(), t.id) != o.stop_ids.end()) {
                out.stop = Ending::Eos;
                co_return;
            }
            if (out.generated.size() == o.max_tokens) {
                out.stop = Ending::MaxTokens;
                co_return;
            }
        }
        if (session.position() >= session.n_ctx()) {
            out.stop = Ending::ContextFull;
            co_return;
        }
        co_await decode_pass(run, sampler, k, history, settled, rows);
    }
}

} // namespace

asio::awaitable<void> run_generation(Conversation& session, std::span<const std::int32_t> prompt,
                                     const GenerateOptions& options, const GenerateSinks& sinks, Generation& out)
{
    session.check(prompt); // the one prompt-versus-context check, before anything is reported
    Run run{session, options, sinks, out, std::nullopt, {}, {}, {}};
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
