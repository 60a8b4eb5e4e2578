// Choosing the next token from logits: repetition penalty, then greedy (temperature 0) or
// top-k, temperature, top-p and a seeded random draw.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace edge_rt::runtime {

struct SamplerConfig {
    float temperature = 0.8f;    // <= 0: greedy (argmax; the lowest id wins a tie)
    int top_k = 40;              // <= 0 or >= vocabulary: no top-k cut
    float top_p = 0.95f;         // >= 1: no nucleus cut
    float repeat_penalty = 1.0f; // 1 = off; > 1 discourages recent tokens
    int repeat_last_n = 64;      // how many recent tokens are penalised; -1 = all, 0 = none
    std::uint64_t seed = 0;
};

class TokenSampler {
public:
    explicit TokenSampler(const SamplerConfig& config);

    /// The next token for `logits` (one per vocabulary entry) given the sequence so far
    /// (prompt and generated tokens, oldest first).
    std::int32_t sample(std::span<const float> logits, std::span<const std::int32_t> history);

    /// A uniform double in [0, 1) from the top 53 bits of the next mt19937_64 output: the
    /// engine's output is fixed by the standard, so a seed gives the same draws everywhere
    /// (std::uniform_real_distribution is not pinned down that tightly).
    double uniform();

    /// The distribution sample() draws from (penalty, top-k, temperature, top-p), normalised,
    /// as (id, probability) pairs, most likely first. Greedy: the argmax with probability 1.
    /// Speculative sampling compares it with a draft's.
    void distribution(std::span<const float> logits, std::span<const std::int32_t> history,
                      std::vector<std::pair<std::int32_t, double>>& out);
    /// One draw (uniform()) from `dist` (probabilities summing to about 1).
    std::int32_t draw(std::span<const std::pair<std::int32_t, double>> dist);

    bool greedy() const { return config_.temperature <= 0.0f; }
    const SamplerConfig& config() const { return config_; }

private:
    void apply_repeat_penalty(std::span<const std::int32_t> history);
    // Fills cand_/probs_ for `logits` after the penalty; returns the candidates kept and their
    // (unnormalised) total. Temperature > 0 only.
    std::pair<std::size_t, double> candidates();

    SamplerConfig config_;
    std::mt19937_64 rng_;
    std::vector<float> adjusted_;                      // logits after the penalty
    std::vector<std::pair<float, std::int32_t>> cand_; // (logit, id), best first
    std::vector<double> probs_;
};

} // namespace edge_rt::runtime
