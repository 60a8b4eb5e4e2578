// DESIGN.md §5 metrics of forward passes: what the pipeline measured, summed over passes.
#pragma once

#include <algorithm>
#include <cstdint>

namespace edge_rt::runtime {

struct PassMetrics {
    std::uint64_t passes = 0;
    std::uint64_t steps = 0;  // sessions' steps the passes ran (a batched pass runs several)
    std::uint64_t tokens = 0; // tokens they ran (prompt chunks and verify batches hold several)
    double wall_ms = 0;       // from the start of a pass until its last group computed
    double compute_ms = 0;    // sum of the compute steps' durations (on the compute threads)
    double io_ms = 0;         // reader busy time (at least one read in flight) during the passes
    double stall_ms = 0;      // compute waiting for a slot's read
    std::uint64_t bytes_read = 0;

    double read_gb_s() const { return io_ms > 0 ? static_cast<double>(bytes_read) / (io_ms * 1e6) : 0.0; }
    /// hidden / min(io, compute) with hidden = io + compute - wall; 1 = the smaller one fully
    /// hidden, 0 = none (or nothing to hide: no I/O).
    double overlap() const
    {
        const double smaller = std::min(io_ms, compute_ms);
        if (smaller <= 0)
            return 0.0;
        return std::clamp((io_ms + compute_ms - wall_ms) / smaller, 0.0, 1.0);
    }

    PassMetrics& operator+=(const PassMetrics& o)
    {
        passes += o.passes;
        steps += o.steps;
        tokens += o.tokens;
        wall_ms += o.wall_ms;
        compute_ms += o.compute_ms;
        io_ms += o.io_ms;
        stall_ms += o.stall_ms;
        bytes_read += o.bytes_read;
        return *this;
    }
};

/// The process's peak resident set (getrusage), in bytes.
std::uint64_t peak_rss_bytes();

} // namespace edge_rt::runtime
