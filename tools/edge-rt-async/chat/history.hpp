// A chat's messages and what of them the session's KV cache holds, as text: each reply is sent
// as only the text the conversation gained since the cached part (the template's rendering of
// the whole history, minus the rendering the cache already holds), so a turn prefills only its
// new tokens. When the rendering of the history no longer starts with the cached text (a
// template that rewrites earlier turns), the whole history is sent again from an empty cache.
#pragma once

#include "edge_rt/chat.hpp"

#include <optional>
#include <string>
#include <vector>

namespace edge_rt::cli {

/// How a reply ended: cut short (token limit, Ctrl-C, full context), with the template's
/// end-of-turn token, or with another end (EOS where that is a different token).
enum class ReplyEnd { Cut, EndOfTurn, Other };

/// What to send for the next reply.
struct ChatPrompt {
    std::string text;          // the rendering, or its part the cache lacks
    bool keep_context = false; // true: continue the cached conversation; false: start over
};

class ChatHistory {
public:
    ChatHistory(ChatTemplate tmpl, std::optional<std::string> system);

    /// Adds the user's message. The prompt for the reply is then next_prompt().
    void add_user(std::string text);
    /// The text for the reply to the last user message: only the new part when the cache holds
    /// the conversation so far and the rendering extends it, else the whole rendering.
    ChatPrompt next_prompt() const;
    /// Records the reply (the generated text) and works out the text the cache holds now. A
    /// reply that ended with another token than the template's end of turn leaves the cache
    /// holding what no rendering writes: the next prompt is then the whole history.
    void add_reply(const std::string& text, ReplyEnd end);
    /// Removes the last user message (its reply could not be generated).
    void drop_last_user();
    /// Drops the oldest exchange (a user message and its reply) after the system prompt, and
    /// forgets what the cache holds (it must be re-read). False when no exchange is left
    /// before the last user message.
    bool drop_oldest_exchange();
    /// Forgets every message but the system prompt, and the cache.
    void reset();
    /// The cache was emptied (a failed or cancelled start-over): the next prompt is whole.
    void forget_cache() { cached_.clear(); }

    const ChatTemplate& chat_template() const { return tmpl_; }
    /// User messages so far.
    std::size_t user_messages() const;

private:
    ChatTemplate tmpl_;
    std::vector<ChatMessage> messages_;
    std::size_t first_turn_ = 0; // index of the first non-system message
    std::string cached_;         // the rendering the cache holds; empty = nothing
};

} // namespace edge_rt::cli
