// One chat turn on the public API: the reply to the last user message, generated in the
// conversation's session and streamed to stdout, with Ctrl-C ending the reply (not the program)
// and the context-full policy: when the turn does not fit after the cached conversation, the
// oldest exchanges are dropped (the system prompt stays) and the rest is re-read from an empty
// cache, saying so on stderr.
#pragma once

#include "chat/history.hpp"

#include "edge_rt/runtime.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

namespace edge_rt::cli {

struct TurnSettings {
    std::size_t max_tokens = 512;
    SamplingConfig sampling;
    bool special = true;  // parse special tokens in the rendering and the user's text
    bool verbose = false; // per turn on stderr: tokens prefilled (new, carried over), context use
};

struct TurnContext {
    asio::io_context& io;
    asio::signal_set& interrupt;
    Session& session;
    ChatHistory& history;
    const TurnSettings& settings;
};

/// Runs `io` until `done`, one handler at a time, on this thread.
void run_until(asio::io_context& io, const bool& done);

/// Replies to the user message just added to the history; prints the reply on stdout and what
/// happened on stderr. Never throws for a generation that fails: it says so and the chat goes on.
void reply(TurnContext& t);

} // namespace edge_rt::cli
