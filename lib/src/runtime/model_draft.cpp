#include "runtime/model_draft.hpp"

#include <algorithm>

namespace edge_rt::runtime {

namespace {

// A random stream of its own, so the draft's draws never shift the target's.
SamplerConfig draft_sampling(SamplerConfig c)
{
    c.seed ^= 0x9e3779b97f4a7c15ull;
    return c;
}

} // namespace

ModelDraft::ModelDraft(Conversation& conversation, const SamplerConfig& sampling)
    : conv_(conversation), sampler_(draft_sampling(sampling))
{
    conv_.reset();
}

asio::awaitable<void> ModelDraft::propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                          exec::StopSource* stop)
{
    out.clear();
    if (context.empty() || k == 0)
        co_return;
    // Room in the draft's own context: the unseen context plus k - 1 guesses run through it.
    const std::size_t common = static_cast<std::size_t>(
        std::mismatch(known_.begin(), known_.end(), context.begin(), context.end()).first - known_.begin());
    // At least the last context token runs, so there are logits to guess from.
    const std::size_t keep = std::min(common, context.size() - 1);
    if (context.size() + k - 1 > conv_.n_ctx())
        k = conv_.n_ctx() > context.size() ? conv_.n_ctx() - context.size() + 1 : 0;
    if (k == 0)
        co_return;
    conv_.rewind(keep);
    known_.resize(keep);
    const auto fresh = context.subspan(keep);
    auto logits = co_await conv_.forward_async(fresh, false, stop);
    known_.insert(known_.end(), fresh.begin(), fresh.end());
    history_.assign(context.begin(), context.end());
    const bool sampled = !sampler_.greedy();
    for (std::size_t i = 0; i < k; ++i) {
        std::int32_t id = 0;
        if (sampled) {
            out.q.emplace_back();
            sampler_.distribution(logits, history_, out.q.back());
            id = sampler_.draw(out.q.back());
        } else {
            id = sampler_.sample(logits, history_);
        }
        out.tokens.push_back(id);
        history_.push_back(id);
        if (i + 1 == k)
            break;
        logits = co_await conv_.forward_async(std::span<const std::int32_t>(&out.tokens.back(), 1), false, stop);
        known_.push_back(id);
    }
}

} // namespace edge_rt::runtime
