#include "runtime/speculation.hpp"

#include <algorithm>
#include <cmath>

namespace edge_rt::runtime {

void DraftLength::update(std::size_t proposed, std::size_t accepted)
{
    if (proposed == 0 || max_ == 0)
        return; // nothing was guessed: says nothing about the draft
    if (accepted == proposed && proposed == k_)
        k_ = std::min(max_, k_ + 1);
    else if (2 * accepted < proposed)
        k_ = std::max<std::size_t>(1, k_ - 1); // most of the pass's extra tokens were wasted
}

void DraftLength::measured(double read_ms, double compute_ms, std::size_t tokens)
{
    if (limit_ == 0 || read_ms <= 0 || compute_ms <= 0 || tokens == 0)
        return; // resident (nothing to hide behind) or nothing measured: keep the ceiling
    const double per_token = compute_ms / static_cast<double>(tokens);
    const double fit = std::floor(read_ms / per_token); // tokens a pass computes within its reads
    max_ = std::clamp<std::size_t>(fit >= 2 ? static_cast<std::size_t>(fit) - 1 : 1, 1, limit_);
    k_ = std::min(k_, max_);
}

} // namespace edge_rt::runtime
