#include "serve/completion_handler.hpp"

#include "api/state.hpp"
#include "edge_rt/error.hpp"
#include "edge_rt/session.hpp"
#include "serve/completion_request.hpp"
#include "serve/completion_response.hpp"
#include "serve/sse_writer.hpp"
#include "serve/stop_matcher.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <array>
#include <chrono>
#include <ctime>
#include <random>

namespace edge_rt::serve {
namespace {

constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

// A session slot of the server, given back when the request ends however it ends.
struct SessionSlot {
    explicit SessionSlot(Server::State& s) : server(s) { ++server.active_sessions; }
    ~SessionSlot() { --server.active_sessions; }
    SessionSlot(const SessionSlot&) = delete;
    SessionSlot& operator=(const SessionSlot&) = delete;
    Server::State& server;
};

// Everything decided before generating: refusals happen here, while a 4xx can still be sent.
struct Prepared {
    CompletionRequest req;
    std::vector<std::int32_t> prompt;
    std::vector<std::string> stops;
    std::optional<std::int32_t> end_of_turn_id;
    std::optional<std::int32_t> eos;
};

Prepared prepare(Server::State& s, const Request& r, bool chat, std::size_t n_ctx)
{
    Prepared p;
    p.req = chat ? parse_chat_request(r.body) : parse_completion_request(r.body);
    if (!p.req.model.empty() && p.req.model != s.model_id)
        throw ApiError(404, "invalid_request_error",
                       "the model '" + p.req.model + "' does not exist; this server runs '" + s.model_id + "'",
                       "model", "model_not_found");
    const auto& m = *s.model.state();
    if (!m.tokenizer)
        throw ApiError(400, "invalid_request_error", "this model has no tokenizer: " + m.info.tokenizer_error);
    p.eos = m.eos;
    p.stops = p.req.stop;
    if (chat) {
        p.prompt = chat_prompt_ids(s.chat, *m.tokenizer, p.req.messages);
        p.end_of_turn_id = s.chat.end_of_turn_id;
        if (!s.chat.end_of_turn.empty() && !p.end_of_turn_id)
            p.stops.push_back(s.chat.end_of_turn); // spelled out in several tokens
    } else {
        p.prompt = m.tokenizer->encode(p.req.prompt, m.tokenizer->add_bos_by_default(), false);
    }
    if (p.prompt.empty())
        throw bad_request(chat ? "messages" : "prompt", "the prompt is empty");
    if (p.prompt.size() >= n_ctx)
        throw bad_request(chat ? "messages" : "prompt",
                          "the prompt has " + std::to_string(p.prompt.size()) + " tokens; the context holds " +
                              std::to_string(n_ctx) + " (prompt and completion together)",
                          "context_length_exceeded");
    return p;
}

GenerateRequest generate_request(const Prepared& p, std::size_t n_ctx)
{
    GenerateRequest g;
    g.prompt_ids = p.prompt;
    g.max_tokens = p.req.max_tokens.value_or(n_ctx - p.prompt.size());
    auto& s = g.sampling;
    s.temperature = static_cast<float>(p.req.temperature);
    s.top_p = static_cast<float>(p.req.top_p);
    s.top_k = static_cast<int>(p.req.top_k.value_or(0));
    s.repeat_penalty = static_cast<float>(p.req.repeat_penalty.value_or(1.0));
    s.seed = p.req.seed ? *p.req.seed : std::random_device{}();
    return g;
}

Response retry_response(int status, const char* type, const std::string& message, const char* code, unsigned retry)
{
    auto r = error_response(ApiError(status, type, message, {}, code), true);
    r.retry_after_s = retry;
    return r;
}

// The state of one running generation, shared by the token handler, the disconnect watch
// and the stream writer; all on the io_context thread.
struct Run {
    explicit Run(Connection& conn) : c(conn), done(conn.socket.get_executor()), watch_done(conn.socket.get_executor()) {}
    Connection& c;
    asio::cancellation_signal cancel;       // stops the generation
    asio::cancellation_signal stop_watch;   // ends the disconnect watch
    exec::Event done, watch_done;
    bool generating = true;
    bool client_gone = false;
    bool stop_hit = false;                  // a stop string or the end of turn
    std::size_t tokens = 0;
    std::error_code ec;
    GenerateResult result;

    void stop_generation()
    {
        if (generating)
            cancel.emit(asio::cancellation_type::terminal);
    }
};

// Reads while the generation runs: the peer closing (or resetting) the connection cancels it.
// Bytes of a pipelined next request are kept.
asio::awaitable<void> watch_disconnect(Run& run)
{
    std::array<char, 1024> chunk;
    for (;;) {
        auto [ec, n] = co_await run.c.socket.async_read_some(asio::buffer(chunk), as_tuple_awaitable);
        if (ec)
            break;
        run.c.buffer.append(chunk.data(), n);
        if (run.c.buffer.size() > run.c.server->limits.max_head + run.c.server->limits.max_body)
            break; // flooding while we generate: treat as gone
    }
    if (run.generating) {
        run.client_gone = true;
        run.stop_generation();
    }
}

struct Output {
    ResponseHead head;
    bool stream = false;
    bool include_usage = false;
    bool first = true;
    std::string text;                 // non-streamed: the whole text
    std::shared_ptr<SseWriter> sse;

    void emit(std::string_view piece)
    {
        if (piece.empty())
            return;
        if (stream) {
            sse->send(sse_event(chunk_body(head, piece, std::nullopt, first, include_usage)));
            first = false;
        } else {
            text += piece;
        }
    }
};

TokenHandler token_handler(Run& run, const Prepared& p, StopMatcher& matcher, Output& out)
{
    return [&run, &p, &matcher, &out](const TokenEvent& t) {
        ++run.tokens;
        if (run.stop_hit)
            return;
        if ((p.end_of_turn_id && t.id == *p.end_of_turn_id) || (p.eos && t.id == *p.eos)) {
            run.stop_hit = p.end_of_turn_id && t.id == *p.end_of_turn_id;
            if (run.stop_hit)
                run.stop_generation();
            return;
        }
        const auto step = matcher.feed(t.text);
        out.emit(step.emit);
        if (step.stopped) {
            run.stop_hit = true;
            run.stop_generation();
        }
    };
}

// Runs the generation to its end, watching for the client going away.
asio::awaitable<void> generate(Run& run, Session& session, GenerateRequest g, TokenHandler on_token)
{
    auto ex = run.c.socket.get_executor();
    asio::co_spawn(ex, watch_disconnect(run),
                   asio::bind_cancellation_slot(run.stop_watch.slot(), [&run](std::exception_ptr) { run.watch_done.set(); }));
    async_generate(session, std::move(g), std::move(on_token),
                   asio::bind_cancellation_slot(run.cancel.slot(), [&run](std::error_code ec, GenerateResult r) {
                       run.ec = ec;
                       run.result = std::move(r);
                       run.generating = false;
                       run.done.set();
                   }));
    co_await run.done.wait();
    run.stop_watch.emit(asio::cancellation_type::terminal);
    co_await run.watch_done.wait();
}

FinishReason finish_of(const Run& run)
{
    return run.stop_hit || run.result.stop == StopReason::Eos ? FinishReason::Stop : FinishReason::Length;
}

// The end of a streamed response: the last text, the finish reason, usage, [DONE].
void end_stream(const Run& run, StopMatcher& matcher, Output& out, Usage usage, bool failed)
{
    if (failed) {
        out.sse->send(sse_event(ApiError(500, "server_error", run.result.error).body()));
    } else {
        if (!run.stop_hit)
            out.emit(matcher.finish());
        out.sse->send(sse_event(chunk_body(out.head, "", finish_of(run), out.first, out.include_usage)));
        if (out.include_usage)
            out.sse->send(sse_event(usage_chunk_body(out.head, usage)));
    }
    out.sse->send(kSseDone);
}

// Answers once the generation ended; false when the connection must close.
asio::awaitable<bool> respond(Connection& c, const Request& r, const Prepared& p, Run& run, StopMatcher& matcher,
                              Output& out)
{
    auto& s = *c.server;
    s.counters.prompt_tokens += p.prompt.size();
    s.counters.completion_tokens += run.tokens;
    const Usage usage{p.prompt.size(), run.tokens};
    const bool failed = run.ec && run.ec != asio::error::operation_aborted;
    s.log(r.method + " " + r.target + (run.client_gone ? " client gone" : failed ? " failed: " + run.result.error : " 200") +
          ", " + std::to_string(usage.prompt_tokens) + " prompt + " + std::to_string(usage.completion_tokens) + " tokens");
    if (run.client_gone)
        ++s.counters.cancelled;
    if (out.stream && (out.sse->started() || !failed)) {
        if (!run.client_gone)
            end_stream(run, matcher, out, usage, failed);
        co_await out.sse->drain(); // its write handler refers to this connection
        co_return false;
    }
    if (run.client_gone)
        co_return false;
    if (failed)
        throw ApiError(500, "server_error", run.result.error.empty() ? run.ec.message() : run.result.error);
    if (!run.stop_hit)
        out.emit(matcher.finish());
    Response resp;
    resp.body = completion_body(out.head, out.text, finish_of(run), usage);
    resp.keep_alive = r.keep_alive();
    co_return co_await c.write(serialize(resp)) && resp.keep_alive;
}

} // namespace

asio::awaitable<bool> handle_completion(Connection& c, const Request& r, bool chat)
{
    auto& s = *c.server;
    if (s.active_sessions >= s.config.max_sessions) {
        ++s.counters.rejected_busy;
        ++s.counters.errors;
        const auto resp = retry_response(429, "rate_limit_error",
                                         "all " + std::to_string(s.config.max_sessions) +
                                             " sessions are busy; try again later",
                                         "too_many_sessions", s.config.retry_after_s);
        co_return co_await c.write(serialize(resp)) && r.keep_alive();
    }
    SessionSlot slot(s);
    std::optional<Session> session;
    std::string no_room;
    try {
        session.emplace(s.model, SessionConfig{s.config.ctx_size});
    } catch (const BudgetError& e) {
        no_room = e.what();
    }
    if (!session) { // co_await is not allowed in a catch block
        ++s.counters.errors;
        const auto resp = retry_response(503, "server_error", "no memory for another session now: " + no_room,
                                         "insufficient_memory", s.config.retry_after_s);
        co_return co_await c.write(serialize(resp)) && r.keep_alive();
    }
    const Prepared p = prepare(s, r, chat, session->n_ctx());

    Run run(c);
    Output out;
    out.head = {chat, (chat ? "chatcmpl-" : "cmpl-") + std::to_string(++s.counters.completions), std::time(nullptr),
                s.model_id};
    out.stream = p.req.stream;
    out.include_usage = p.req.include_usage;
    if (out.stream) {
        out.sse = std::make_shared<SseWriter>(c.socket, [&c] {
            std::error_code ignored;
            c.socket.cancel(ignored); // ends the watch, which cancels the generation
        });
        if (chat) // the role comes first, at once: the client sees the stream start
            out.sse->send(sse_event(chunk_body(out.head, "", std::nullopt, true, out.include_usage)));
        out.first = !chat;
    }
    StopMatcher matcher(p.stops);
    co_await generate(run, *session, generate_request(p, session->n_ctx()), token_handler(run, p, matcher, out));
    co_return co_await respond(c, r, p, run, matcher, out);
}

} // namespace edge_rt::serve
