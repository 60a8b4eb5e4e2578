// `run`'s report: DESIGN.md §5 metrics as JSON, and the timing summary on stderr.
#pragma once

#include "runtime/generate.hpp"
#include "settings_values.hpp" // parse_bytes, moved there to be shared with the config file

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace edge_rt::cli {

struct RunFacts {
    std::uint64_t seed = 0;
    int threads_requested = 1;
};

const char* stop_name(runtime::StopReason r);

nlohmann::ordered_json metrics_json(const runtime::Engine& engine, const runtime::Session& session,
                                    const runtime::GenerateResult& r, const RunFacts& facts);

void print_summary(const runtime::Engine& engine, const runtime::GenerateResult& r);

} // namespace edge_rt::cli
