// A sweep's numbers: what each repetition measured and each configuration's statistics.
#pragma once

#include "bench/options.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::cli {

/// The metrics a configuration reports, in output order (DESIGN.md §5 names, per token where
/// that says so: totals of the run's forward passes divided by their number). other_ms is a
/// pass's wall time that is neither compute nor stall: hand-offs between the I/O and compute
/// threads, on-demand embedding rows; it is what keeps overlap below 1 when nothing stalls.
inline constexpr std::array kBenchMetrics{
    "decode_tok_s", "prefill_tok_s", "bytes_per_token", "read_gb_s", "io_ms_per_token",
    "compute_ms_per_token", "stall_ms_per_token", "other_ms_per_token", "overlap", "peak_pool_bytes", "peak_rss_bytes",
    "load_ms", "ttft_ms", "total_ms", "tokens_per_pass", "acceptance",
};
inline constexpr std::size_t kMetricCount = kBenchMetrics.size();

/// The index of a name in kBenchMetrics (a compile-time-known name: throws std::out_of_range otherwise).
std::size_t metric_index(const char* name);

struct Stat {
    double median = 0, stddev = 0, min = 0, max = 0;
};

/// Median, sample standard deviation (0 for one value), min and max; zeros for no values.
Stat summarize(std::vector<double> values);

struct RepResult {
    std::array<double, kMetricCount> values{};
    std::vector<double> token_ms; // per generated token
    std::string text;             // what the child generated
    std::string io_backend;       // what the child used ("auto" resolved), and whether with O_DIRECT
    bool direct_io = false;
};

struct ConfigResult {
    BenchConfig config;
    std::vector<RepResult> reps;
    std::string error;            // non-empty: the configuration failed (its first line)
    std::array<Stat, kMetricCount> stats{};
    double raw_gb_s = 0; // --raw-read: the device's bandwidth probed right before these runs

    bool ok() const { return error.empty() && !reps.empty(); }
    const Stat& stat(const char* name) const { return stats.at(metric_index(name)); }
    void finish(); // fills stats from reps
};

/// The best median decode tok/s, and the lowest median peak RSS among configurations that reach
/// at least kEfficientShare of that speed (the most memory-efficient one).
inline constexpr double kEfficientShare = 0.8;
struct BenchSummary {
    std::optional<std::size_t> fastest;
    std::optional<std::size_t> most_efficient;
};
BenchSummary summarize(const std::vector<ConfigResult>& results);

} // namespace edge_rt::cli
