#include "runtime/speculation.hpp"

#include <algorithm>

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

} // namespace edge_rt::runtime
