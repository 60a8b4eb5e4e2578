// What the runtime does about pressure: fewer prefetch slots under memory pressure, fewer
// compute threads when hot or throttled. Changes step one at a time and recover only after
// several calm readings in a row (hysteresis), so a noisy sensor cannot make limits flap.
#pragma once

#include "monitor/snapshot.hpp"

#include <optional>
#include <string>

namespace edge_rt::monitor {

struct Limits {
    unsigned prefetch_depth = 2;
    unsigned threads = 1;
    bool operator==(const Limits&) const = default;
};

struct PolicyConfig {
    double psi_high = 10.0, psi_low = 2.0;             // memory "some" avg10, percent
    double available_low = 0.05, available_ok = 0.15;  // MemAvailable / MemTotal
    double celsius_high = 80.0, celsius_ok = 70.0;
    unsigned calm_readings = 3;                        // before stepping back up
};

class Policy {
public:
    explicit Policy(Limits max, PolicyConfig config = {}) : max_(max), now_(max), config_(config) {}

    /// Takes a reading; returns a one-line explanation when the limits changed.
    std::optional<std::string> update(const Snapshot& s);
    Limits limits() const { return now_; }
    Limits max() const { return max_; }

private:
    Limits max_, now_;
    PolicyConfig config_;
    unsigned calm_memory_ = 0, calm_thermal_ = 0;
};

} // namespace edge_rt::monitor
