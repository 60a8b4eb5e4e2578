#include "runtime/token_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace edge_rt::runtime {

TokenSampler::TokenSampler(const SamplerConfig& config) : config_(config), rng_(config.seed) {}

double TokenSampler::uniform()
{
    return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

void TokenSampler::apply_repeat_penalty(std::span<const std::int32_t> history)
{
    if (config_.repeat_penalty == 1.0f || config_.repeat_last_n == 0)
        return;
    const std::size_t n = config_.repeat_last_n < 0
                              ? history.size()
                              : std::min(history.size(), static_cast<std::size_t>(config_.repeat_last_n));
    // Each distinct recent token is penalised once, however often it occurred.
    std::unordered_set<std::int32_t> seen(history.end() - static_cast<std::ptrdiff_t>(n), history.end());
    for (const auto id : seen) {
        if (id < 0 || static_cast<std::size_t>(id) >= adjusted_.size())
            continue;
        float& l = adjusted_[static_cast<std::size_t>(id)];
        l = l > 0.0f ? l / config_.repeat_penalty : l * config_.repeat_penalty;
    }
}

std::pair<std::size_t, double> TokenSampler::candidates()
{
    // Candidates best first; equal logits keep the lower id first so results do not depend
    // on the sort's internals.
    cand_.clear();
    for (std::size_t i = 0; i < adjusted_.size(); ++i)
        cand_.emplace_back(adjusted_[i], static_cast<std::int32_t>(i));
    const auto better = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    std::size_t keep = cand_.size();
    if (config_.top_k > 0)
        keep = std::min(keep, static_cast<std::size_t>(config_.top_k));
    std::partial_sort(cand_.begin(), cand_.begin() + static_cast<std::ptrdiff_t>(keep), cand_.end(), better);
    cand_.resize(keep);

    // Softmax of logit / temperature over the kept candidates, in double.
    probs_.resize(keep);
    double total = 0.0;
    for (std::size_t i = 0; i < keep; ++i)
        total += probs_[i] = std::exp((static_cast<double>(cand_[i].first) - cand_[0].first) / config_.temperature);
    // Nucleus: the shortest prefix whose probability reaches top_p (at least one token).
    if (config_.top_p < 1.0f) {
        double cumulative = 0.0;
        std::size_t n = 0;
        while (n < keep && cumulative < config_.top_p * total)
            cumulative += probs_[n++];
        keep = std::max<std::size_t>(n, 1);
        total = 0.0;
        for (std::size_t i = 0; i < keep; ++i)
            total += probs_[i];
    }
    return {keep, total};
}

std::int32_t TokenSampler::sample(std::span<const float> logits, std::span<const std::int32_t> history)
{
    if (logits.empty())
        throw std::invalid_argument("sampling from an empty vocabulary");
    adjusted_.assign(logits.begin(), logits.end());
    apply_repeat_penalty(history);
    if (config_.temperature <= 0.0f)
        return static_cast<std::int32_t>(std::max_element(adjusted_.begin(), adjusted_.end()) - adjusted_.begin());

    const auto [keep, total] = candidates();
    const double target = uniform() * total;
    double cumulative = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        cumulative += probs_[i];
        if (target < cumulative)
            return cand_[i].second;
    }
    return cand_[keep - 1].second; // rounding left the target at the very top
}

void TokenSampler::distribution(std::span<const float> logits, std::span<const std::int32_t> history,
                                std::vector<std::pair<std::int32_t, double>>& out)
{
    if (logits.empty())
        throw std::invalid_argument("sampling from an empty vocabulary");
    adjusted_.assign(logits.begin(), logits.end());
    apply_repeat_penalty(history);
    out.clear();
    if (greedy()) {
        out.emplace_back(static_cast<std::int32_t>(std::max_element(adjusted_.begin(), adjusted_.end()) - adjusted_.begin()), 1.0);
        return;
    }
    const auto [keep, total] = candidates();
    for (std::size_t i = 0; i < keep; ++i)
        out.emplace_back(cand_[i].second, probs_[i] / total);
}

std::int32_t TokenSampler::draw(std::span<const std::pair<std::int32_t, double>> dist)
{
    if (dist.empty())
        throw std::invalid_argument("drawing from an empty distribution");
    double total = 0.0;
    for (const auto& [id, p] : dist)
        total += p;
    const double target = uniform() * total;
    double cumulative = 0.0;
    for (const auto& [id, p] : dist) {
        cumulative += p;
        if (target < cumulative)
            return id;
    }
    return dist.back().first;
}

} // namespace edge_rt::runtime
