// Prompt lookup: the draft that needs no model. The last n tokens of the context are looked up
// earlier in the context; the tokens that followed their most recent earlier occurrence are the
// guess. Text that repeats itself (code, quotes, lists, summaries of the prompt) is guessed well.
#pragma once

#include "runtime/draft.hpp"

namespace edge_rt::runtime {

class LookupDraft final : public Draft {
public:
    /// Tries n-grams of `max_ngram` tokens down to 1 (at least 1).
    explicit LookupDraft(std::size_t max_ngram);

    asio::awaitable<void> propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                  exec::StopSource* stop) override;
    const char* name() const override { return "lookup"; }

    /// The lookup itself, synchronous: appends up to `k` tokens to `out`.
    static void lookup(std::span<const std::int32_t> context, std::size_t max_ngram, std::size_t k,
                       std::vector<std::int32_t>& out);

private:
    std::size_t max_ngram_;
};

} // namespace edge_rt::runtime
