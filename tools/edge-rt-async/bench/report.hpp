// A finished sweep and its renderings: an aligned table, Markdown, CSV (the benchmark-workflow
// seed's columns first, then ours), one JSON document, or JSON Lines (one object per config).
#pragma once

#include "bench/machine.hpp"
#include "bench/options.hpp"
#include "bench/stats.hpp"
#include "io_probe.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::cli {

struct BenchReport {
    std::string model;
    ModelFacts model_facts;
    MachineFacts machine;
    int repetitions = 0;
    bool direct_io = true;
    std::uint64_t seed = 0;
    std::optional<tools::IoProbeResult> raw_read; // the first probe: file, reader, O_DIRECT
    std::vector<ConfigResult> results;
    BenchSummary summary;

    /// The raw read bandwidths (GB/s, 1e9 bytes) probed before the configurations (--raw-read).
    std::vector<double> raw_probes() const;
    /// Their median, 0 when not measured.
    double raw_gb_s() const;
    /// A configuration's median read GB/s as a share of the raw bandwidth probed just before it
    /// (a shared disk's speed drifts during a sweep); nullopt without --raw-read.
    std::optional<double> read_share(const ConfigResult& r) const;
};

/// "256M sequential t2 uring p16 n16": a configuration in one short phrase.
std::string config_label(const BenchConfig& c);

std::string render_table(const BenchReport& r, bool markdown);
std::string render_summary(const BenchReport& r);
std::string render_csv(const BenchReport& r);
std::string render_json(const BenchReport& r);
std::string render_jsonl(const BenchReport& r);

/// The header of render_csv: the seed's 16 columns, then ours.
std::vector<std::string> csv_columns();

} // namespace edge_rt::cli
