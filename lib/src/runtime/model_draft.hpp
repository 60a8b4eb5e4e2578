// A small model as the draft: it runs the context through its own Conversation (its own KV
// cache, usually fully resident) and proposes its own next tokens, greedy or sampled with the
// generation's sampling settings. Its cache follows the context: when the target rejected some
// of its guesses, it rewinds to the longest prefix it shares with the new context.
#pragma once

#include "runtime/conversation.hpp"
#include "runtime/draft.hpp"
#include "runtime/token_sampler.hpp"

namespace edge_rt::runtime {

class ModelDraft final : public Draft {
public:
    /// `conversation` runs the draft model (same vocabulary as the target: the caller checks).
    /// `sampling`: the generation's settings; the draft draws with its own random stream.
    ModelDraft(Conversation& conversation, const SamplerConfig& sampling);

    asio::awaitable<void> propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                  exec::StopSource* stop) override;
    const char* name() const override { return "draft-model"; }

private:
    Conversation& conv_;
    TokenSampler sampler_;
    std::vector<std::int32_t> known_; // the tokens whose KV entries conv_ holds, in order
    std::vector<std::int32_t> history_;
};

} // namespace edge_rt::runtime
