// Checked conversions shared by the three places a setting can come from (config file,
// environment, command line). `where` names the source in errors: "x.toml: compute.threads",
// "EDGE_RT_THREADS" or "--threads"; every error is one ConfigError line starting with it.
#pragma once

#include "byte_size.hpp" // parse_bytes (tools/common)
#include "edge_rt/config.hpp"

#include <cstdint>
#include <string>

namespace edge_rt::cli {

/// A count that must be at least `min` (threads, prefetch depth, context, …).
unsigned checked_count(std::int64_t value, std::int64_t min, const std::string& where);
/// The decimal text of a count, e.g. from the environment.
unsigned parse_count(const std::string& text, std::int64_t min, const std::string& where);
Strategy checked_strategy(const std::string& text, const std::string& where);
IoBackend checked_backend(const std::string& text, const std::string& where);
/// "1"/"true"/"yes"/"on" or "0"/"false"/"no"/"off".
bool parse_flag(const std::string& text, const std::string& where);

float checked_temperature(double v, const std::string& where);   // >= 0
float checked_top_p(double v, const std::string& where);         // (0, 1]
float checked_repeat_penalty(double v, const std::string& where); // > 0
int checked_repeat_last_n(std::int64_t v, const std::string& where); // >= -1
int checked_top_k(std::int64_t v, const std::string& where);     // >= 0
/// A percentage or fraction threshold of the monitor policy: finite and >= 0.
double checked_threshold(double v, const std::string& where);

} // namespace edge_rt::cli
