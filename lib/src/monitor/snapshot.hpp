// One reading of the machine's state: memory, memory pressure, load, temperatures, CPU
// frequencies and, on a Raspberry Pi, the firmware's throttling flags. Fields the machine does
// not expose stay empty ("n/a"), so the same code runs on a Pi, a laptop and under qemu.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::monitor {

struct ThermalZone {
    std::string type; // "cpu-thermal", "x86_pkg_temp", …
    double celsius = 0;
};

struct CpuCore {
    unsigned id = 0;
    std::optional<std::uint64_t> cur_khz, max_khz;
    std::optional<std::string> governor;
    std::optional<double> busy; // 0..1 since the previous snapshot (needs two samples)
    std::uint64_t busy_ticks = 0, total_ticks = 0; // /proc/stat counters behind `busy`
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

struct Snapshot {
    std::chrono::steady_clock::time_point taken;
    std::optional<std::uint64_t> mem_total, mem_available;   // bytes
    std::optional<double> psi_some_avg10, psi_full_avg10;    // % of time stalled on memory
    std::optional<double> load1, load5, load15;
    std::vector<ThermalZone> thermal;
    std::vector<CpuCore> cores;
    std::optional<ThrottleFlags> throttle;

    std::optional<double> max_celsius() const;
};

} // namespace edge_rt::monitor
