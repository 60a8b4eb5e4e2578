#include "chat/turn.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>

namespace edge_rt::cli {
namespace {

struct Outcome {
    std::error_code ec;
    GenerateResult result;
};

void write_out(std::string_view piece)
{
    if (!piece.empty()) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
    }
}

// A SIGINT that came while no reply was running (at the prompt) must not cancel the next one:
// a wait started now completes at once for it, and is otherwise cancelled.
void discard_pending_interrupts(asio::io_context& io, asio::signal_set& interrupt)
{
    interrupt.async_wait([](std::error_code, int) {});
    interrupt.cancel();
    io.restart();
    io.poll();
}

GenerateRequest request_for(const TurnContext& t, const ChatPrompt& prompt)
{
    GenerateRequest r;
    r.prompt = prompt.text;
    r.keep_context = prompt.keep_context;
    r.parse_special = t.settings.special;
    // A rendering that writes the BOS text itself needs no BOS in front.
    const std::string bos = t.history.chat_template().bos_text();
    r.no_bos = !bos.empty() && t.settings.special && prompt.text.compare(0, bos.size(), bos) == 0;
    r.stop_ids = t.history.chat_template().end_of_turn_ids();
    r.max_tokens = t.settings.max_tokens;
    r.sampling = t.settings.sampling;
    return r;
}

// One generation; SIGINT cancels it (it ends at the next group boundary).
Outcome generate(TurnContext& t, const ChatPrompt& prompt)
{
    discard_pending_interrupts(t.io, t.interrupt);
    asio::cancellation_signal cancel;
    t.interrupt.async_wait([&cancel](std::error_code ec, int) {
        if (!ec)
            cancel.emit(asio::cancellation_type::terminal);
    });
    std::size_t printed = 0;
    auto on_token = [&printed](const TokenEvent& e) {
        write_out(e.text);
        printed += e.text.size();
    };
    bool done = false;
    Outcome out;
    async_generate(t.session, request_for(t, prompt), on_token,
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::error_code ec, GenerateResult r) {
                       out = {ec, std::move(r)};
                       done = true;
                   }));
    run_until(t.io, done);
    t.interrupt.cancel();
    t.io.restart();
    t.io.poll(); // the cancelled wait's handler, while `cancel` still exists
    write_out(std::string_view(out.result.text).substr(std::min(printed, out.result.text.size())));
    return out;
}

ReplyEnd reply_end(const TurnContext& t, const GenerateResult& r)
{
    if (r.stop != StopReason::Eos || r.tokens.empty())
        return ReplyEnd::Cut;
    const auto eot = t.history.chat_template().end_of_turn_id();
    return eot && r.tokens.back() == *eot ? ReplyEnd::EndOfTurn : ReplyEnd::Other;
}

void report(const TurnContext& t, const GenerateResult& r, std::size_t carried)
{
    if (r.stop == StopReason::Cancelled)
        fmt::print(stderr, "[interrupted after {} tokens]\n", r.tokens.size());
    if (r.stop == StopReason::ContextFull)
        fmt::print(stderr, "[the context of {} tokens is full: the reply was cut; the next message drops the "
                           "oldest exchanges]\n",
                   t.session.n_ctx());
    if (t.settings.verbose)
        fmt::print(stderr, "[prefill {} tokens ({} new, {} carried over) in {:.1f} ms; generated {} tokens in "
                           "{:.1f} ms; context {}/{} tokens]\n",
                   r.prefill_tokens, r.prompt_ids.size(), carried, r.prefill_ms, r.tokens.size(),
                   r.prefill_ms + r.decode_ms, t.session.n_past(), t.session.n_ctx());
}

// Whether a failed start-over failed for want of room (the prompt is longer than the context).
bool too_long(const Outcome& o)
{
    return o.ec == GenerateErrc::BadRequest && o.result.error.find("context") != std::string::npos;
}

} // namespace

void run_until(asio::io_context& io, const bool& done)
{
    io.restart();
    while (!done && io.run_one() > 0) {
    }
}

void reply(TurnContext& t)
{
    ChatPrompt prompt = t.history.next_prompt();
    if (!prompt.keep_context)
        t.session.reset();
    std::size_t carried = t.session.n_past() - t.session.n_cached();
    Outcome o = generate(t, prompt);
    // Context-full policy: drop the oldest exchanges until the history fits, re-read it.
    std::size_t dropped = 0;
    while (o.ec == GenerateErrc::ContextFull || too_long(o)) {
        if (!t.history.drop_oldest_exchange()) {
            fmt::print(stderr, "[this message does not fit in the context of {} tokens: {}; write less, or /reset]\n",
                       t.session.n_ctx(), o.result.error);
            t.history.drop_last_user();
            t.history.forget_cache();
            t.session.reset();
            return;
        }
        if (dropped++ == 0)
            fmt::print(stderr, "[the context is full: dropping the oldest exchanges and re-reading the rest]\n");
        t.session.reset();
        prompt = t.history.next_prompt();
        carried = 0;
        o = generate(t, prompt);
    }
    if (dropped > 0 && t.settings.verbose)
        fmt::print(stderr, "[dropped {} exchange{}]\n", dropped, dropped == 1 ? "" : "s");
    if (o.ec && o.ec != asio::error::operation_aborted) {
        fmt::print(stderr, "[the reply failed: {}]\n", o.result.error.empty() ? o.ec.message() : o.result.error);
        t.history.drop_last_user();
        t.history.forget_cache();
        t.session.reset();
        return;
    }
    write_out("\n");
    t.history.add_reply(o.result.text, reply_end(t, o.result));
    report(t, o.result, carried);
}

} // namespace edge_rt::cli
