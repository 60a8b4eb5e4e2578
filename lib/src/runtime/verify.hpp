// The verify step of speculative decoding: given the target's logits at the k+1 positions of a
// pass over [last token, draft tokens...], decide which draft tokens stand and which token
// follows them. Greedy: the target's own choice at each position, as long as it equals the
// draft's (so the output is exactly plain greedy decoding's). Sampling: the standard
// speculative-sampling rule (Leviathan et al. 2023, Chen et al. 2023): accept draft token d with
// probability min(1, p(d) / q(d)); on rejection draw from the residual max(0, p - q),
// normalised; after k acceptances draw a bonus token from p. The output distribution is then
// exactly the target's.
#pragma once

#include "runtime/draft.hpp"
#include "runtime/token_sampler.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace edge_rt::runtime {

/// A token the verify step settled, with the row of logits (target distribution) it came from.
struct Settled {
    std::int32_t id = 0;
    std::size_t row = 0;
};

/// Appends to `out` the accepted draft tokens and the one token after them (at most
/// proposal.tokens.size() + 1 tokens; the last is never a draft token that was accepted, unless
/// all were: then it is the bonus). `rows` holds proposal.tokens.size() + 1 rows of `n_vocab`
/// logits. `history` is the context before the pass (its last token was the pass's first).
/// Returns how many draft tokens were accepted.
std::size_t verify(std::span<const float> rows, std::size_t n_vocab, const Proposal& proposal, TokenSampler& sampler,
                   std::span<const std::int32_t> history, std::vector<Settled>& out);

} // namespace edge_rt::runtime
