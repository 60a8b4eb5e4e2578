// `run --parallel N`: N sessions over the one model generate the same request at once. Their
// steps share every forward pass (continuous batching), so each streamed weight group is read
// once per pass for all of them; the report is of the N together.
#pragma once

#include "edge_rt/runtime.hpp"
#include "run/metrics.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

namespace edge_rt::cli {

struct ParallelRun {
    std::vector<GenerateResult> results; // one per session, in order
    std::vector<std::error_code> errors; // their completion codes
    double wall_ms = 0;                  // from starting them all until the last one ended
    std::size_t n_ctx = 0;
};

/// Starts `n` generations of `request` in sessions of their own and runs `io` until every one
/// ended; SIGINT (`interrupt`) cancels them all.
ParallelRun generate_parallel(Model& model, const GenerateRequest& request, std::size_t n, std::size_t ctx_size,
                              asio::io_context& io, asio::signal_set& interrupt);

/// run --json's metrics for the N together: tokens summed; the decode rate is every session's
/// decode tokens over the wall time after the slowest prefill; per-session results beside.
nlohmann::ordered_json parallel_metrics_json(const Model& model, const ParallelRun& run, const RunFacts& facts);

/// The timing summary on stderr, with the batch: passes, steps per pass, the aggregate rate.
void print_parallel_summary(const Model& model, const ParallelRun& run);

} // namespace edge_rt::cli
