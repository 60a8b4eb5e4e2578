#include "chat/history.hpp"

#include <algorithm>

namespace edge_rt::cli {
namespace {

// Templates differ on whether they trim message text; the reply is kept trimmed, as the model
// cards' templates that trim (llama3, gemma, llama2) would write it.
std::string trimmed(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

} // namespace

ChatHistory::ChatHistory(ChatTemplate tmpl, std::optional<std::string> system) : tmpl_(std::move(tmpl))
{
    if (system && !system->empty()) {
        messages_.push_back({"system", *system});
        first_turn_ = 1;
    }
}

void ChatHistory::add_user(std::string text) { messages_.push_back({"user", std::move(text)}); }

ChatPrompt ChatHistory::next_prompt() const
{
    std::string full = tmpl_.render(messages_, true);
    if (!cached_.empty() && full.size() >= cached_.size() && full.compare(0, cached_.size(), cached_) == 0)
        return {full.substr(cached_.size()), true};
    return {std::move(full), false};
}

void ChatHistory::add_reply(const std::string& text, ReplyEnd end)
{
    const std::string prompt = tmpl_.render(messages_, true);
    const std::string content = trimmed(text);
    messages_.push_back({"assistant", content});
    // The cache holds the prompt, the reply's tokens and (when it ended the turn) the end-of-turn
    // token: as text, the closed history's rendering cut after the reply, plus that token.
    const std::string closed = tmpl_.render(messages_, false);
    cached_.clear();
    if (end == ReplyEnd::Other)
        return;
    if (closed.compare(0, prompt.size(), prompt) != 0)
        return; // the template rewrote the earlier text: the next prompt is whole
    const auto at = closed.find(content, prompt.size());
    if (at == std::string::npos)
        return;
    cached_ = closed.substr(0, at + content.size());
    if (end == ReplyEnd::EndOfTurn)
        cached_ += tmpl_.end_of_turn();
}

void ChatHistory::drop_last_user()
{
    if (!messages_.empty() && messages_.back().role == "user")
        messages_.pop_back();
}

bool ChatHistory::drop_oldest_exchange()
{
    // An exchange: a user message and the assistant's reply after it, never the last message.
    const auto begin = messages_.begin() + static_cast<std::ptrdiff_t>(first_turn_);
    if (messages_.size() < first_turn_ + 3)
        return false;
    messages_.erase(begin, begin + 2);
    cached_.clear();
    return true;
}

void ChatHistory::reset()
{
    messages_.resize(first_turn_);
    cached_.clear();
}

std::size_t ChatHistory::user_messages() const
{
    return static_cast<std::size_t>(
        std::count_if(messages_.begin(), messages_.end(), [](const ChatMessage& m) { return m.role == "user"; }));
}

} // namespace edge_rt::cli
