// Speculative decoding's drafts: anything that can guess the next few tokens of a sequence
// cheaply. The generation loop verifies a draft's guesses in one pass of the target model (each
// streamed group read once for all of them) and keeps the longest prefix the target agrees with.
#pragma once

#include <asio/awaitable.hpp>
#include "exec/stop.hpp"

#include <atomic>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace edge_rt::runtime {

/// Up to k guessed tokens. When the draft sampled them from distributions of its own, `q[i]`
/// holds the distribution token i was drawn from ((id, probability) pairs); when `q` is empty the
/// guesses are deterministic (a point mass on each token), as prompt lookup's are.
struct Proposal {
    std::vector<std::int32_t> tokens;
    std::vector<std::vector<std::pair<std::int32_t, double>>> q;

    void clear()
    {
        tokens.clear();
        q.clear();
    }
};

class Draft {
public:
    virtual ~Draft() = default;
    /// Guesses up to `k` tokens that follow `context` (the prompt and every token generated so
    /// far, the last one included). Fewer (or none) is fine: the pass then verifies fewer.
    /// `stop` is the generation's stop flag, for drafts that run passes of their own.
    virtual asio::awaitable<void> propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                          exec::StopSource* stop) = 0;
    /// "lookup" or "draft-model": how reports name it.
    virtual const char* name() const = 0;
};

} // namespace edge_rt::runtime
