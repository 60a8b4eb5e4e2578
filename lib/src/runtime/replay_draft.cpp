#include "runtime/replay_draft.hpp"

namespace edge_rt::runtime {

ReplayDraft::ReplayDraft(std::vector<std::int32_t> continuation, double acceptance, std::uint64_t seed,
                         std::size_t n_vocab)
    : continuation_(std::move(continuation)), acceptance_(acceptance), n_vocab_(n_vocab), rng_(seed)
{
}

asio::awaitable<void> ReplayDraft::propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                           exec::StopSource*)
{
    out.clear();
    if (!first_)
        first_ = context.size();
    if (context.size() < *first_)
        co_return; // a different generation: nothing to replay
    std::bernoulli_distribution right(acceptance_);
    for (std::size_t i = 1 + context.size() - *first_; out.tokens.size() < k && i < continuation_.size(); ++i) {
        const std::int32_t truth = continuation_[i];
        const bool hit = right(rng_);
        out.tokens.push_back(hit ? truth : static_cast<std::int32_t>((static_cast<std::size_t>(truth) + 1) % n_vocab_));
        if (!hit)
            break;
    }
    co_return;
}

} // namespace edge_rt::runtime
