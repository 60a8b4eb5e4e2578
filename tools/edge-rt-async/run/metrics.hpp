// `run`'s report: DESIGN.md §5 metrics as JSON, and the timing summary on stderr, from what
// the public API reports (edge_rt::Model::metrics/info/plan and the GenerateResult).
#pragma once

#include "edge_rt/runtime.hpp"
#include "settings_values.hpp" // parse_bytes, moved there to be shared with the config file

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace edge_rt::cli {

struct RunFacts {
    std::uint64_t seed = 0;
    int threads_requested = 1;
};

const char* stop_name(StopReason r);

/// Appends what the model's forward passes measured (bytes, times, overlap, memory) and how it
/// runs (plan, backend, threads): the part of run's report that is the same for one session or many.
void add_model_metrics(nlohmann::ordered_json& out, const Model& model, const RunFacts& facts);

nlohmann::ordered_json metrics_json(const Model& model, const Session& session, const GenerateResult& r,
                                    const RunFacts& facts);

void print_summary(const Model& model, const GenerateResult& r);

} // namespace edge_rt::cli
