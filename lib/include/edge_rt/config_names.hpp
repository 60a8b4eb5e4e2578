// The names the CLI, the TOML profiles and the reports give the config enums ("greedy-grouping",
// "pread"), in both directions, with the same one-line errors everywhere.
#pragma once

#include "edge_rt/config.hpp"
#include "edge_rt/export.hpp"

#include <string_view>

namespace edge_rt {

/// "sequential", "greedy-grouping", "speculative-prefetch", "auto"; throws ConfigError naming
/// the value otherwise.
EDGE_RT_API Strategy parse_strategy(std::string_view name);
/// The name parse_strategy reads.
EDGE_RT_API std::string_view to_string(Strategy strategy) noexcept;

/// "auto", "uring", "pread"; throws ConfigError naming the value otherwise.
EDGE_RT_API IoBackend parse_io_backend(std::string_view name);
/// The name parse_io_backend reads.
EDGE_RT_API std::string_view to_string(IoBackend backend) noexcept;

} // namespace edge_rt
