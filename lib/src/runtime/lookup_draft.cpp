#include "runtime/lookup_draft.hpp"

#include <algorithm>

namespace edge_rt::runtime {

LookupDraft::LookupDraft(std::size_t max_ngram) : max_ngram_(std::max<std::size_t>(max_ngram, 1)) {}

void LookupDraft::lookup(std::span<const std::int32_t> context, std::size_t max_ngram, std::size_t k,
                         std::vector<std::int32_t>& out)
{
    const std::size_t n_ctx = context.size();
    if (k == 0 || n_ctx < 2)
        return;
    // Longer n-grams first: a longer match predicts better. The most recent earlier match wins.
    for (std::size_t n = std::min(max_ngram, n_ctx - 1); n >= 1; --n) {
        const auto tail = context.subspan(n_ctx - n);
        for (std::size_t start = n_ctx - n; start-- > 0;) {
            if (!std::equal(tail.begin(), tail.end(), context.begin() + static_cast<std::ptrdiff_t>(start)))
                continue;
            const std::size_t from = start + n; // < n_ctx: the match ends before the tail does
            const std::size_t take = std::min(k, n_ctx - from);
            out.insert(out.end(), context.begin() + static_cast<std::ptrdiff_t>(from),
                       context.begin() + static_cast<std::ptrdiff_t>(from + take));
            return;
        }
    }
}

asio::awaitable<void> LookupDraft::propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                           exec::StopSource*)
{
    out.clear();
    lookup(context, max_ngram_, k, out.tokens);
    co_return;
}

} // namespace edge_rt::runtime
