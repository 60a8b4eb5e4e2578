// async_generate: the generation loop of runtime::generate, as a coroutine on the model's
// io_context. Each forward pass takes the model's PassLock (sessions take turns per pass),
// sampling runs on the io_context thread (one pass over the logits), compute on the pool.
#include "api/state.hpp"

#include "runtime/clock.hpp"
#include "runtime/sampler.hpp"

#include <asio/co_spawn.hpp>
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
        }
        return "unknown generate error";
    }
};

// One running generation: what the cancellation handler and the loop share.
struct Op {
    std::shared_ptr<Session::State> session;
    GenerateRequest request;
    TokenHandler on_token;
    bool cancelled = false;
    bool in_pass = false;
    GenerateResult result;
};

Model::State& model_of(Op& op) { return *op.session->model.state(); }

// One forward pass under the model's lock. Throws runtime::Cancelled when cancelled.
asio::awaitable<std::span<const float>> pass(Op& op, std::span<const std::int32_t> tokens)
{
    auto& m = model_of(op);
    co_await m.lock.acquire();
    if (op.cancelled) {
        m.lock.release();
        throw runtime::Cancelled("generation cancelled");
    }
    op.in_pass = true;
    m.engine->clear_stop();
    std::exception_ptr error;
    std::span<const float> logits;
    try {
        logits = co_await op.session->session.forward_async(tokens, false);
    } catch (...) {
        error = std::current_exception();
    }
    op.in_pass = false;
    m.engine->clear_stop();
    m.lock.release();
    if (error)
        std::rethrow_exception(error);
    co_return logits;
}

std::vector<std::int32_t> prompt_ids(Op& op)
{
    auto& m = model_of(op);
    const auto& r = op.request;
    if (!r.prompt_ids.empty())
        return r.prompt_ids;
    std::vector<std::int32_t> ids;
    if (!r.prompt.empty()) {
        if (!m.tokenizer)
            throw ConfigError("text prompts need a tokenizer, and this model has none; give prompt_ids");
        ids = m.tokenizer->encode(r.prompt, m.tokenizer->add_bos_by_default() && !r.no_bos);
    } else if (m.bos && !r.no_bos) {
        ids = {*m.bos}; // no prompt: start from BOS alone
    }
    if (ids.empty())
        throw ConfigError("no prompt (and this model has no BOS token to start from)");
    const std::size_t n_ctx = op.session->session.n_ctx();
    if (ids.size() > n_ctx)
        throw ConfigError(fmt::format("the prompt has {} tokens, more than the context of {}", ids.size(), n_ctx));
    return ids;
}

TokenMetrics token_metrics(const runtime::Engine& e, std::size_t index, double ms)
{
    const auto& p = e.last_pass();
    return {index, ms, p.wall_ms, p.compute_ms, p.io_ms, p.stall_ms, p.bytes_read};
}

// The loop of runtime::generate, awaiting each pass; fills op.result as it goes.
asio::awaitable<void> run(Op& op)
{
    auto& m = model_of(op);
    auto& session = op.session->session;
    auto& result = op.result;
    session.reset();
    result.prompt_ids = prompt_ids(op);
    runtime::Sampler sampler({op.request.sampling.temperature, op.request.sampling.top_k,
                              op.request.sampling.top_p, op.request.sampling.repeat_penalty,
                              op.request.sampling.repeat_last_n, op.request.sampling.seed});
    std::optional<model::StreamingDecoder> decoder;
    if (m.tokenizer) {
        decoder.emplace(*m.tokenizer);
        for (const auto id : result.prompt_ids)
            decoder->push(id); // primes spacing; the prompt's text is not part of the result
    }
    std::vector<std::int32_t> history = result.prompt_ids;
    auto last = runtime::Clock::now();
    auto logits = co_await pass(op, result.prompt_ids);
    result.prefill_ms = runtime::ms_between(last, runtime::Clock::now());
    while (true) {
        const std::int32_t id = sampler.sample(logits, history);
        const auto now = runtime::Clock::now();
        const std::string piece = decoder ? decoder->push(id) : fmt::format("{} ", id);
        result.tokens.push_back(id);
        history.push_back(id);
        result.text += piece;
        if (op.on_token)
            op.on_token({id, piece, token_metrics(*m.engine, result.tokens.size() - 1, runtime::ms_between(last, now))});
        last = now;
        if (m.eos && id == *m.eos) {
            result.stop = StopReason::Eos;
            break;
        }
        if (result.tokens.size() >= op.request.max_tokens) {
            result.stop = StopReason::MaxTokens;
            break;
        }
        if (session.position() >= session.n_ctx()) {
            result.stop = StopReason::ContextFull;
            break;
        }
        const auto start = runtime::Clock::now();
        logits = co_await pass(op, std::span<const std::int32_t>(&id, 1));
        result.decode_ms += runtime::ms_between(start, runtime::Clock::now());
    }
    if (decoder)
        result.text += decoder->flush();
}

// Runs the loop and turns its ending into the completion's error code.
asio::awaitable<std::error_code> run_to_completion(std::shared_ptr<Op> op)
{
    std::error_code ec;
    try {
        co_await run(*op);
    } catch (const runtime::Cancelled&) {
        op->result.stop = StopReason::Cancelled;
        ec = asio::error::operation_aborted;
    } catch (const ConfigError& e) {
        op->result.stop = StopReason::Error;
        op->result.error = e.what();
        ec = GenerateErrc::BadRequest;
    } catch (const std::exception& e) {
        op->result.stop = StopReason::Error;
        op->result.error = e.what();
        ec = GenerateErrc::Failed;
    }
    co_return ec;
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
    ++m.active;
    if (slot.is_connected()) {
        slot.assign([op](asio::cancellation_type) {
            op->cancelled = true;
            if (op->in_pass) // only the pass of this generation may be stopped
                model_of(*op).engine->request_stop();
        });
    }
    asio::co_spawn(m.io, run_to_completion(op),
                   [op, slot, complete = std::move(complete)](std::exception_ptr e, std::error_code ec) mutable {
                       if (slot.is_connected())
                           slot.clear();
                       op->session->busy = false;
                       --model_of(*op).active;
                       if (e) { // co_spawn itself failed (e.g. out of memory): report, never throw
                           op->result.stop = StopReason::Error;
                           op->result.error = "generation failed";
                           ec = GenerateErrc::Failed;
                       }
                       complete(ec, std::move(op->result));
                   });
}

} // namespace detail
} // namespace edge_rt
