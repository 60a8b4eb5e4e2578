// What the runtime measures, as plain values: per generated token and per loaded model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace edge_rt {

/// Measured for each generated token, delivered with it.
struct TokenMetrics {
    /// 0 for the first generated token.
    std::size_t index = 0;
    /// Wall time from the previous token (the first: from the start, prefill included).
    double ms = 0;
    /// The forward pass whose logits this token was sampled from: wall, compute, I/O busy and
    /// compute-waiting-for-reads time, and weight bytes read.
    double pass_wall_ms = 0;
    /// Compute time of that pass (summed over its compute steps).
    double pass_compute_ms = 0;
    /// Time that pass had at least one weight read in flight.
    double pass_io_ms = 0;
    /// Time that pass's compute waited for a read.
    double pass_stall_ms = 0;
    /// Weight bytes that pass read.
    std::uint64_t pass_bytes_read = 0;
};

/// What speculative decoding did in one generation.
struct SpeculationMetrics {
    /// "lookup", "draft-model", or empty (none).
    std::string draft;
    /// Draft tokens a pass could carry at the start: the plan's I/O-bound k.
    std::size_t max_draft = 0;
    /// Decode passes (each verifies the last token and the draft's guesses).
    std::size_t passes = 0;
    /// Draft tokens verified.
    std::size_t draft_tokens = 0;
    /// Of those, accepted.
    std::size_t accepted_tokens = 0;
    /// Tokens each decode pass settled: (accepted + passes) / passes (1 without a draft).
    double tokens_per_pass() const
    {
        return passes ? static_cast<double>(accepted_tokens + passes) / static_cast<double>(passes) : 0.0;
    }
    /// accepted / draft tokens (0 when nothing was drafted).
    double acceptance_rate() const
    {
        return draft_tokens ? static_cast<double>(accepted_tokens) / static_cast<double>(draft_tokens) : 0.0;
    }
};

/// A loaded model's counters: load, budget, and every forward pass of every session so far.
struct ModelMetrics {
    /// Wall time of the load: headers, plan, resident reads.
    double load_ms = 0;
    /// Bytes read while loading.
    std::uint64_t load_bytes_read = 0;
    /// The budget (or, without a limit, what the whole model takes).
    std::uint64_t budget_bytes = 0;
    /// Bytes charged to the budget now: resident weights, prefetch ring, sessions.
    std::uint64_t budget_used_bytes = 0;
    /// The most ever charged at once.
    std::uint64_t budget_peak_bytes = 0;
    /// Forward passes run, over all sessions.
    std::uint64_t passes = 0;
    /// Sessions' steps those passes ran: a pass runs the step of every session that has one
    /// ready (continuous batching), so steps / passes is the mean batch.
    std::uint64_t steps = 0;
    /// Tokens those steps ran (a prompt chunk or a speculative verify step holds several).
    std::uint64_t tokens = 0;
    /// Summed wall time of those passes.
    double wall_ms = 0;
    /// Summed compute time.
    double compute_ms = 0;
    /// Summed time with reads in flight.
    double io_ms = 0;
    /// Summed time compute waited for reads.
    double stall_ms = 0;
    /// Weight bytes read by the passes.
    std::uint64_t bytes_read = 0;
    /// bytes_read / io_ms, in GB/s (0 without I/O).
    double read_gb_s = 0;
    /// How much of the smaller of I/O and compute time was hidden behind the other: 1 = all,
    /// 0 = none (or no I/O).
    double overlap = 0;
    /// The process's peak resident set so far (getrusage).
    std::uint64_t peak_rss_bytes = 0;
    /// Prefetch slots in use now (the monitor lowers it under memory pressure; 0 = nothing streams).
    unsigned prefetch_depth = 0;
    /// Compute threads the kernels may use now (the monitor lowers it when hot).
    unsigned active_threads = 0;
    /// Of budget_bytes, the draft model's share (RuntimeConfig::draft_model_path; 0 = none);
    /// budget_used_bytes and budget_peak_bytes include what it charged.
    std::uint64_t draft_budget_bytes = 0;
    /// Sessions open over the model now.
    std::size_t sessions = 0;
    /// Generations running now (their steps share passes).
    std::size_t active_generations = 0;
    /// Steps in the pass running now (0 between passes), and steps waiting for the next one.
    std::size_t running_steps = 0;
    std::size_t queued_steps = 0;
};

} // namespace edge_rt
