// async_generate: the library's generation loop (runtime/generate.hpp) as an Asio operation on
// the model's io_context. This file turns a request into prompt ids and loop options, binds the
// cancellation slot to the generation's stop state, and turns the ending into the completion.
#include "api/config_convert.hpp"
#include "api/state.hpp"

#include "runtime/generate.hpp"
#include "runtime/lookup_draft.hpp"
#include "runtime/replay_draft.hpp"
#include "runtime/model_draft.hpp"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <fmt/format.h>

namespace edge_rt {
namespace {

class GenerateCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "edge_rt.generate"; }
    std::string message(int ev) const override
    {
        switch (static_cast<GenerateErrc>(ev)) {
        case GenerateErrc::Busy: return "the session is already generating";
        case GenerateErrc::BadRequest: return "the request cannot run";
        case GenerateErrc::Failed: return "generation failed";
        case GenerateErrc::ContextFull: return "the turn does not fit in what is left of the context";
        }
        return "unknown generate error";
    }
};

// A keep_context turn that does not fit after the conversation held in the cache.
struct ContextFullError : ConfigError {
    using ConfigError::ConfigError;
};

// One running generation: the request, its stop state (the only one), and what it produced.
struct Op {
    std::shared_ptr<Session::State> session;
    GenerateRequest request;
    TokenHandler on_token;
    exec::StopSource stop;
    std::unique_ptr<runtime::Draft> draft; // speculative decoding's, when the request asks for one
    runtime::Generation out;
    std::vector<std::int32_t> prompt; // the request's prompt ids
    std::vector<std::int32_t> feed;   // what this turn prefills (see turn_tokens)
    bool started = false;             // the feed was accepted: the history changes
    std::string error; // the failure's message (stop = Error)
    std::size_t max_draft = 0; // the k speculation started with
};

Model::State& model_of(Op& op) { return *op.session->model.state(); }

// The one place a request becomes prompt ids: given ids as they are, text through the
// tokenizer (BOS as the model wants, never inside a conversation that already holds tokens),
// nothing at all: BOS alone. Session::check then checks them against the vocabulary and the
// context.
std::vector<std::int32_t> prompt_ids(const Model::State& m, const GenerateRequest& r, bool continuing)
{
    if (!r.prompt_ids.empty())
        return r.prompt_ids;
    std::vector<std::int32_t> ids;
    const bool bos = !r.no_bos && !continuing;
    if (!r.prompt.empty()) {
        if (!m.tokenizer)
            throw ConfigError(fmt::format("text prompts need a tokenizer, and this model has none ({}); "
                                          "give token ids instead",
                                          m.info.tokenizer_error));
        ids = m.tokenizer->encode(r.prompt, m.tokenizer->add_bos_by_default() && bos, r.parse_special);
    } else if (m.bos && bos) {
        ids = {*m.bos}; // no prompt: start from BOS alone
    }
    if (ids.empty() && !continuing)
        throw ConfigError("no prompt (and this model has no BOS token to start from)");
    return ids;
}

// What a turn prefills: the conversation's tokens the KV cache lacks (the previous turn's last
// sampled token, a prompt a cancelled prefill left part-way), then the new prompt.
std::vector<std::int32_t> turn_tokens(const Session::State& s, std::span<const std::int32_t> prompt)
{
    std::vector<std::int32_t> feed(s.history.begin() + static_cast<std::ptrdiff_t>(s.session.position()),
                                   s.history.end());
    feed.insert(feed.end(), prompt.begin(), prompt.end());
    if (feed.empty())
        throw ConfigError("no prompt, and nothing of the conversation is left to run");
    const std::size_t room = s.session.n_ctx() - std::min(s.session.position(), s.session.n_ctx());
    if (s.session.position() > 0 && feed.size() > room)
        throw ContextFullError(fmt::format("the context is full: this turn needs {} tokens, and {} of the context's "
                                           "{} are left after the {} the conversation holds; reset the session",
                                           feed.size(), room, s.session.n_ctx(), s.session.position()));
    return feed;
}

runtime::GenerateOptions loop_options(Op& op)
{
    auto& m = model_of(op);
    runtime::GenerateOptions o;
    o.max_tokens = op.request.max_tokens;
    o.stop_ids = op.request.stop_ids;
    o.sampler = api::sampler_config(op.request.sampling);
    if (!op.request.ignore_eos)
        o.eos = m.eos;
    o.tokenizer = m.tokenizer.get();
    o.stop = &op.stop;
    if (op.draft) {
        const auto& s = op.request.speculation;
        const auto& e = *m.engine;
        const std::size_t limit = s.max_draft ? s.max_draft : m.draft_max;
        o.speculation = {op.draft.get(), plan::io_bound_draft_length(e.plan(), e.plan_request().cost, limit), limit};
    }
    return o;
}

// The request's draft: prompt lookup, or the model's draft model (refused when it has none).
std::unique_ptr<runtime::Draft> make_draft(Op& op)
{
    const auto& s = op.request.speculation;
    switch (s.draft) {
    case DraftKind::None: return nullptr;
    case DraftKind::Lookup: return std::make_unique<runtime::LookupDraft>(s.lookup_ngram);
    case DraftKind::Replay:
        if (!(s.replay_acceptance >= 0.0 && s.replay_acceptance <= 1.0) || s.replay_ids.empty())
            throw ConfigError("speculation with the replay draft: it needs the recorded ids and an acceptance in [0, 1]");
        return std::make_unique<runtime::ReplayDraft>(s.replay_ids, s.replay_acceptance, op.request.sampling.seed,
                                                      model_of(op).engine->config().n_vocab);
    case DraftKind::Model:
        if (!op.session->draft)
            throw ConfigError("speculation with the draft model: the model was loaded without one "
                              "(RuntimeConfig::draft_model_path)");
        return std::make_unique<runtime::ModelDraft>(*op.session->draft, api::sampler_config(op.request.sampling));
    }
    throw ConfigError("speculation: unknown draft kind");
}

TokenMetrics token_metrics(const runtime::Engine& e, std::size_t index, double ms)
{
    const auto& p = e.last_pass();
    return {index, ms, p.wall_ms, p.compute_ms, p.io_ms, p.stall_ms, p.bytes_read};
}

asio::awaitable<void> run(Op& op)
{
    auto& m = model_of(op);
    auto& state = *op.session;
    auto& session = state.session;
    if (!op.request.keep_context) {
        session.reset();
        state.history.clear();
    }
    op.prompt = prompt_ids(m, op.request, !state.history.empty());
    op.feed = turn_tokens(state, op.prompt);
    session.check(op.feed); // vocabulary and context, before the history takes the turn
    op.started = true;
    runtime::GenerateSinks sinks;
    if (op.request.on_prompt)
        sinks.on_prompt = [&op](std::string_view text) { op.request.on_prompt(op.prompt, text); };
    if (op.on_token)
        sinks.on_token = [&op, &m](const runtime::GeneratedToken& t) {
            op.on_token({t.id, t.text, token_metrics(*m.engine, t.index, t.ms), t.logits});
        };
    op.draft = make_draft(op);
    const auto options = loop_options(op);
    op.max_draft = options.speculation.max_draft;
    co_await runtime::run_generation(session, op.feed, options, sinks, op.out);
}

// The conversation after a turn that ran (also part-way): the new prompt and what was generated
// join it; the cache's own position says how much of it is cached.
void record_history(Op& op)
{
    if (!op.started)
        return;
    auto& history = op.session->history;
    history.insert(history.end(), op.prompt.begin(), op.prompt.end());
    history.insert(history.end(), op.out.generated.begin(), op.out.generated.end());
}

StopReason public_stop(runtime::Ending r)
{
    switch (r) {
    case runtime::Ending::MaxTokens: return StopReason::MaxTokens;
    case runtime::Ending::Eos: return StopReason::Eos;
    case runtime::Ending::ContextFull: return StopReason::ContextFull;
    case runtime::Ending::Cancelled: return StopReason::Cancelled;
    }
    return StopReason::Error;
}

GenerateResult public_result(Op& op)
{
    auto& out = op.out;
    GenerateResult r;
    r.prompt_ids = std::move(op.prompt);
    r.tokens = std::move(out.generated);
    r.text = std::move(out.text);
    r.prompt_text = std::move(out.prompt_text);
    r.stop = public_stop(out.stop);
    r.prefill_ms = out.stats.prefill_ms;
    r.decode_ms = out.stats.decode_ms;
    r.prefill_tokens = out.stats.prefill_tokens;
    r.decode_tokens = out.stats.decode_tokens;
    r.sample_ms = out.stats.sample_ms;
    r.token_ms = std::move(out.stats.token_ms);
    const auto& spec = out.stats.speculation;
    r.speculation = {op.draft ? op.draft->name() : "", op.max_draft, spec.passes, spec.drafted, spec.accepted};
    if (!op.error.empty()) {
        r.stop = StopReason::Error;
        r.error = op.error;
    }
    return r;
}

// Runs the loop and turns its ending into the completion's error code. Never throws.
asio::awaitable<std::error_code> run_to_completion(std::shared_ptr<Op> op)
{
    std::error_code ec;
    try {
        co_await run(*op);
        if (op->out.stop == runtime::Ending::Cancelled)
            ec = asio::error::operation_aborted;
    } catch (const ContextFullError& e) {
        op->error = e.what();
        ec = GenerateErrc::ContextFull;
    } catch (const ConfigError& e) {
        op->error = e.what();
        ec = GenerateErrc::BadRequest;
    } catch (const std::exception& e) {
        op->error = e.what();
        ec = GenerateErrc::Failed;
    }
    record_history(*op);
    co_return ec;
}

void generation_started(Model::State& m)
{
    if (m.active++ == 0 && m.monitor)
        m.monitor->start();
}

void generation_ended(Model::State& m)
{
    if (--m.active == 0 && m.monitor)
        m.monitor->stop();
}

} // namespace

const std::error_category& generate_category() noexcept
{
    static const GenerateCategory category;
    return category;
}

namespace detail {

void start_generate(Session& session, GenerateRequest request, TokenHandler on_token, asio::cancellation_slot slot,
                    std::function<void(std::error_code, GenerateResult)> complete)
{
    if (!session.valid())
        throw ConfigError("async_generate: the session was moved from and holds nothing");
    auto op = std::make_shared<Op>();
    op->session = session.state();
    op->request = std::move(request);
    op->on_token = std::move(on_token);
    auto& m = model_of(*op);
    if (op->session->busy) {
        asio::post(m.io, [complete = std::move(complete)] { complete(GenerateErrc::Busy, GenerateResult{}); });
        return;
    }
    op->session->busy = true;
    generation_started(m);
    // Every cancellation type stops alike: at the next group boundary, or at once while waiting.
    if (slot.is_connected())
        slot.assign([op](asio::cancellation_type) { op->stop.request(); });
    asio::co_spawn(m.io, run_to_completion(op),
                   [op, slot, complete = std::move(complete)](std::exception_ptr e, std::error_code ec) mutable {
                       if (slot.is_connected())
                           slot.clear();
                       op->session->busy = false;
                       generation_ended(model_of(*op));
                       auto result = public_result(*op);
                       if (e) { // co_spawn itself failed (e.g. out of memory): report, never throw
                           result.stop = StopReason::Error;
                           result.error = "generation failed";
                           ec = GenerateErrc::Failed;
                       }
                       complete(ec, std::move(result));
                   });
}

} // namespace detail
} // namespace edge_rt
