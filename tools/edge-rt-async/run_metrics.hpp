// `run`'s report: DESIGN.md §5 metrics as JSON, and the timing summary on stderr.
#pragma once

#include "runtime/generate.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace edge_rt::cli {

struct RunFacts {
    std::uint64_t seed = 0;
    int threads_requested = 1;
};

/// "256K", "512M", "1.5G", "4096" (K/M/G are powers of 1024; a trailing B or iB is allowed).
/// Throws ConfigError naming `flag` and the text.
std::uint64_t parse_bytes(const std::string& text, const char* flag);

const char* stop_name(runtime::StopReason r);

nlohmann::ordered_json metrics_json(const runtime::Engine& engine, const runtime::Session& session,
                                    const runtime::GenerateResult& r, const RunFacts& facts);

void print_summary(const runtime::Engine& engine, const runtime::GenerateResult& r);

} // namespace edge_rt::cli
