// Sizes as people write them on command lines and in config files.
#pragma once

#include <cstdint>
#include <string>

namespace edge_rt::cli {

/// "256K", "512M", "1.5G", "4096" (K/M/G are powers of 1024; a trailing B or iB is allowed).
/// Throws ConfigError "<where>: '<text>' is not a size …".
std::uint64_t parse_bytes(const std::string& text, const char* where);

} // namespace edge_rt::cli
