// POST /v1/chat/completions and POST /v1/completions: a request becomes prompt ids (the chat
// template for messages), gets a Session of its own within max_sessions, and generates through
// async_generate, streamed as server-sent events or answered whole. Generation stops at EOS, at
// the chat template's end of turn, at a stop string, at max_tokens or a full context; a client
// that goes away cancels it.
#pragma once

#include "serve/connection.hpp"

namespace edge_rt::serve {

/// Answers one completion request on `c`; false when the connection must close. Throws
/// ApiError for a request refused before anything was sent.
asio::awaitable<bool> handle_completion(Connection& c, const Request& r, bool chat);

} // namespace edge_rt::serve
