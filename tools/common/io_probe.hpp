// Sequential read bandwidth of a file system, measured with the runtime's own weight reader
// (edge_rt::time_sequential_read):
// O_DIRECT where the file system allows (so the page cache cannot flatter the number),
// buffered otherwise, and the report says which.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace edge_rt::tools {

struct IoProbeResult {
    std::string file;       // what was read
    bool temporary = false; // a file written for the probe and removed again
    std::uint64_t bytes = 0;
    double seconds = 0;
    bool direct = false;    // read with O_DIRECT
    std::string backend;    // "io_uring" / "pread"
    double mb_per_s() const { return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0; }
};

/// Reads `target` if it is a file of at least `min_bytes` (at most 1 GiB of it); otherwise
/// writes a temporary file of `min_bytes` in `target`'s folder (or in `target` if it is a
/// folder), reads that and removes it. Throws IoError naming the path.
IoProbeResult probe_read_bandwidth(const std::filesystem::path& target, std::uint64_t min_bytes);

} // namespace edge_rt::tools
