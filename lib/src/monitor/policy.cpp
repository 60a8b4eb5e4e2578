#include "monitor/policy.hpp"

#include <fmt/format.h>

namespace edge_rt::monitor {
namespace {

std::optional<double> available_fraction(const Snapshot& s)
{
    if (!s.mem_total || !s.mem_available || *s.mem_total == 0)
        return std::nullopt;
    return static_cast<double>(*s.mem_available) / static_cast<double>(*s.mem_total);
}

// One step down under pressure; one step up after `calm_needed` calm readings in a row.
bool step(unsigned& value, unsigned max, bool pressure, bool calm, unsigned& calm_count, unsigned calm_needed)
{
    if (pressure) {
        calm_count = 0;
        if (value > 1) {
            --value;
            return true;
        }
        return false;
    }
    calm_count = calm ? calm_count + 1 : 0;
    if (calm_count >= calm_needed && value < max) {
        ++value;
        calm_count = 0;
        return true;
    }
    return false;
}

} // namespace

std::optional<std::string> Policy::update(const Snapshot& s)
{
    const auto avail = available_fraction(s);
    const double psi = s.psi_some_avg10.value_or(0.0);
    const bool mem_pressure = psi > config_.psi_high || (avail && *avail < config_.available_low);
    const bool mem_calm = psi <= config_.psi_low && (!avail || *avail >= config_.available_ok);

    const auto temp = s.max_celsius();
    const bool throttled = s.throttle && s.throttle->any_now();
    const bool hot = throttled || (temp && *temp >= config_.celsius_high);
    const bool cool = !throttled && (!temp || *temp < config_.celsius_ok);

    const Limits before = now_;
    step(now_.prefetch_depth, max_.prefetch_depth, mem_pressure, mem_calm, calm_memory_, config_.calm_readings);
    step(now_.threads, max_.threads, hot, cool, calm_thermal_, config_.calm_readings);
    if (now_ == before)
        return std::nullopt;
    return fmt::format("monitor: prefetch depth {} -> {}, threads {} -> {} (memory pressure {:.1f}%, "
                       "available {}, hottest {}, throttled {})",
                       before.prefetch_depth, now_.prefetch_depth, before.threads, now_.threads, psi,
                       avail ? fmt::format("{:.0f}%", *avail * 100) : "n/a",
                       temp ? fmt::format("{:.1f} C", *temp) : "n/a", throttled ? "yes" : "no");
}

} // namespace edge_rt::monitor
