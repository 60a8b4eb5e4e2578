#include "runtime/verify.hpp"

#include <algorithm>

namespace edge_rt::runtime {
namespace {

using Dist = std::vector<std::pair<std::int32_t, double>>;

double prob_of(const Dist& d, std::int32_t id)
{
    for (const auto& [i, p] : d)
        if (i == id)
            return p;
    return 0.0;
}

// max(0, p - q) over p's support (where p is 0 the residual is 0 too).
Dist residual(const Dist& p, const Dist* q, std::int32_t drafted)
{
    Dist r;
    for (const auto& [id, pi] : p) {
        const double qi = q ? prob_of(*q, id) : (id == drafted ? 1.0 : 0.0);
        if (pi > qi)
            r.emplace_back(id, pi - qi);
    }
    return r;
}

} // namespace

std::size_t verify(std::span<const float> rows, std::size_t n_vocab, const Proposal& proposal, TokenSampler& sampler,
                   std::span<const std::int32_t> history, std::vector<Settled>& out)
{
    const std::size_t k = proposal.tokens.size();
    std::vector<std::int32_t> hist(history.begin(), history.end()); // grows with accepted tokens
    Dist p;
    for (std::size_t i = 0; i <= k; ++i) {
        const auto row = rows.subspan(i * n_vocab, n_vocab);
        if (i == k || sampler.greedy()) {
            // Greedy at every position, or the bonus after k acceptances: the target's own choice.
            const std::int32_t id = sampler.sample(row, hist);
            out.push_back({id, i});
            if (i == k || id != proposal.tokens[i])
                return i;
            hist.push_back(id);
            continue;
        }
        const std::int32_t d = proposal.tokens[i];
        sampler.distribution(row, hist, p);
        const Dist* q = proposal.q.empty() ? nullptr : &proposal.q[i];
        const double qd = q ? prob_of(*q, d) : 1.0;
        const double pd = prob_of(p, d);
        if (qd > 0.0 && sampler.uniform() < std::min(1.0, pd / qd)) {
            out.push_back({d, i});
            hist.push_back(d);
            continue;
        }
        const Dist r = residual(p, q, d);
        out.push_back({r.empty() ? sampler.draw(p) : sampler.draw(r), i});
        return i;
    }
    return k; // not reached: the loop returns at i == k
}

} // namespace edge_rt::runtime
