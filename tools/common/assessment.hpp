// What `status` recommends: a memory budget that leaves the rest of the machine room, and the
// strategy that fits the model in it, each with a one-line reason.
#pragma once

#include "edge_rt/system.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::tools {

inline constexpr double kThrottleCelsius = 80.0; // the Pi firmware's soft limit starts here

struct Assessment {
    std::optional<std::uint64_t> budget_bytes; // nullopt when MemAvailable is unknown
    std::string strategy = "auto";
    std::optional<double> thermal_headroom;    // degrees below kThrottleCelsius
    std::vector<std::string> reasons;
};

/// Budget: 75% of MemAvailable (60% under memory pressure, PSI some avg10 >= 10%), in whole
/// MiB. Strategy: speculative-prefetch when `model_bytes` does not fit the budget, else auto.
Assessment assess(const SystemSnapshot& s, std::optional<std::uint64_t> model_bytes);

/// "1.50G", "768M": the --memory-budget spelling.
std::string budget_string(std::uint64_t bytes);

} // namespace edge_rt::tools
