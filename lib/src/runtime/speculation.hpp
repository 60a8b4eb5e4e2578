// Speculative decoding's settings for one generation and its running draft length: k starts at
// the plan's I/O-bound length (plan::io_bound_draft_length, from the cost model's assumed
// speeds), shrinks when the target rejects most of a proposal and grows when it accepts all of
// one, never past the ceiling. The ceiling follows the passes as measured: as many tokens as the
// pass's compute can take while its reads are still running (a verify pass stays I/O-bound),
// never more than `limit`.
#pragma once

#include "runtime/draft.hpp"

#include <algorithm>
#include <cstddef>

namespace edge_rt::runtime {

struct SpeculationOptions {
    Draft* draft = nullptr;     // null: plain decoding, one token per pass
    std::size_t max_draft = 0;  // k to start with (the plan's I/O-bound length, or less)
    std::size_t limit = 0;      // k at most, whatever the measurements say; 0 = max_draft
};

/// What speculation did over a generation.
struct SpeculationStats {
    std::size_t passes = 0;    // decode passes (verify passes and plain ones)
    std::size_t drafted = 0;   // draft tokens verified
    std::size_t accepted = 0;  // of those, kept
};

class DraftLength {
public:
    DraftLength(std::size_t start, std::size_t limit)
        : limit_(std::max(limit, start)), max_(start), k_(start)
    {
    }
    explicit DraftLength(std::size_t start) : DraftLength(start, start) {}
    std::size_t current() const { return k_; }
    std::size_t limit() const { return limit_; }
    /// After a verify pass that carried `proposed` draft tokens and kept `accepted`.
    void update(std::size_t proposed, std::size_t accepted);
    /// After a pass with reads: `read_ms` of reads in flight, `compute_ms` for `tokens` tokens.
    /// The ceiling becomes the tokens whose compute fits under the reads, less the last token.
    void measured(double read_ms, double compute_ms, std::size_t tokens);

private:
    std::size_t limit_, max_, k_;
};

} // namespace edge_rt::runtime
