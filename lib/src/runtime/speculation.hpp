// Speculative decoding's settings for one generation and its running draft length: k starts at
// the plan's I/O-bound length (plan::io_bound_draft_length), shrinks when the target rejects
// most of a proposal and grows back (never past the start) when it accepts all of one.
#pragma once

#include "runtime/draft.hpp"

#include <cstddef>

namespace edge_rt::runtime {

struct SpeculationOptions {
    Draft* draft = nullptr;     // null: plain decoding, one token per pass
    std::size_t max_draft = 0;  // k at most (the plan's I/O-bound length, or less)
};

/// What speculation did over a generation.
struct SpeculationStats {
    std::size_t passes = 0;    // decode passes (verify passes and plain ones)
    std::size_t drafted = 0;   // draft tokens verified
    std::size_t accepted = 0;  // of those, kept
};

class DraftLength {
public:
    explicit DraftLength(std::size_t max_draft) : max_(max_draft), k_(max_draft) {}
    std::size_t current() const { return k_; }
    /// After a verify pass that carried `proposed` draft tokens and kept `accepted`.
    void update(std::size_t proposed, std::size_t accepted);

private:
    std::size_t max_, k_;
};

} // namespace edge_rt::runtime
