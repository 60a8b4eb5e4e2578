// The machine as the runtime's monitor sees it (memory, memory pressure, load, temperatures, CPU
// frequencies, the Raspberry Pi firmware's throttling flags), and a timed sequential read of a
// file through the runtime's own weight reader: what `edge-rt-async status` reports. Fields the
// machine does not expose stay empty, so the same code runs on a Pi, a laptop and under qemu.
#pragma once

#include "edge_rt/export.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt {

struct ThermalZone {
    std::string type; ///< "cpu-thermal", "x86_pkg_temp", …
    double celsius = 0;
};

struct CpuCore {
    unsigned id = 0;
    std::optional<std::uint64_t> cur_khz, max_khz;
    std::optional<std::string> governor;
    std::optional<double> busy; ///< 0..1 since the previous snapshot (needs two samples)
    std::uint64_t busy_ticks = 0, total_ticks = 0; ///< /proc/stat counters behind `busy`
};

/// Raspberry Pi firmware flags (get_throttled): bits 0-3 now, 16-19 since boot.
struct ThrottleFlags {
    std::uint32_t raw = 0;
    bool under_voltage() const { return raw & 0x1u; }
    bool freq_capped() const { return raw & 0x2u; }
    bool throttled() const { return raw & 0x4u; }
    bool soft_temp_limit() const { return raw & 0x8u; }
    bool any_now() const { return (raw & 0xfu) != 0; }
    bool any_since_boot() const { return (raw & 0xf0000u) != 0; }
};

/// One reading of the machine's state.
struct SystemSnapshot {
    std::chrono::steady_clock::time_point taken;
    std::optional<std::uint64_t> mem_total, mem_available; ///< bytes
    std::optional<double> psi_some_avg10, psi_full_avg10;  ///< % of time stalled on memory
    std::optional<double> load1, load5, load15;
    std::vector<ThermalZone> thermal;
    std::vector<CpuCore> cores;
    std::optional<ThrottleFlags> throttle;

    /// The hottest thermal zone, if any.
    std::optional<double> max_celsius() const
    {
        std::optional<double> m;
        for (const auto& z : thermal)
            m = std::max(m.value_or(z.celsius), z.celsius);
        return m;
    }
};

/// Reads /proc and /sys under `root` ("/", or a fake tree in tests, or the host's /proc mounted
/// elsewhere in a container). Per-core busy fractions are relative to `previous` when given.
/// Never throws: unreadable or malformed files leave their fields empty.
EDGE_RT_API SystemSnapshot sample_system(const std::filesystem::path& root = "/",
                                         const SystemSnapshot* previous = nullptr);

/// How a timed read went.
struct ReadTiming {
    std::uint64_t bytes = 0;
    double seconds = 0;
    bool direct = false; ///< read with O_DIRECT (the page cache could not help)
    std::string backend; ///< "io_uring" / "pread"
};

/// Reads the first `bytes` of `file` (a multiple of 4096) sequentially with the runtime's
/// weight reader as the engine streams weights: O_DIRECT where the file system allows, 32 MiB
/// requests in two lanes (like a two-slot prefetch ring), buffers registered. Throws IoError
/// naming the file.
EDGE_RT_API ReadTiming time_sequential_read(const std::filesystem::path& file, std::uint64_t bytes);

} // namespace edge_rt
