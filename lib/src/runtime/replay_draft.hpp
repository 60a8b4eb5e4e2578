// A measuring device, not a feature: a draft that replays a recorded continuation of the target
// (its plain greedy output) and gets each guess right with a set probability, so the speed-up of
// speculative decoding can be measured at a chosen acceptance on any model (bench/README.md,
// issue 17). It stops guessing after its first wrong guess, so the accepted share of its guesses
// is the set probability (every guess before the first wrong one is accepted).
#pragma once

#include "runtime/draft.hpp"

#include <optional>
#include <random>

namespace edge_rt::runtime {

class ReplayDraft final : public Draft {
public:
    /// `continuation[i]` is the i-th token greedy decoding generates; a wrong guess is the right
    /// token plus one (modulo `n_vocab`). `acceptance` in [0, 1].
    ReplayDraft(std::vector<std::int32_t> continuation, double acceptance, std::uint64_t seed, std::size_t n_vocab);

    asio::awaitable<void> propose(std::span<const std::int32_t> context, std::size_t k, Proposal& out,
                                  exec::StopSource* stop) override;
    const char* name() const override { return "replay"; }

private:
    std::vector<std::int32_t> continuation_;
    double acceptance_;
    std::size_t n_vocab_;
    std::mt19937_64 rng_;
    // The context's length when the first token had been generated: the generation loop's first
    // proposal comes right after it.
    std::optional<std::size_t> first_;
};

} // namespace edge_rt::runtime
