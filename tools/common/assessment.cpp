#include "assessment.hpp"

#include <fmt/format.h>

namespace edge_rt::tools {
namespace {

constexpr std::uint64_t kMiB = 1u << 20;
constexpr double kPsiHigh = 10.0;

void thermal_reasons(const SystemSnapshot& s, Assessment& a)
{
    if (const auto hot = s.max_celsius()) {
        a.thermal_headroom = kThrottleCelsius - *hot;
        if (*a.thermal_headroom < 10.0)
            a.reasons.push_back(fmt::format("only {:.1f} °C below the {:.0f} °C throttle point: expect slower "
                                            "compute (consider fewer --threads or cooling)",
                                            *a.thermal_headroom, kThrottleCelsius));
    }
    if (s.throttle && s.throttle->any_now())
        a.reasons.push_back(fmt::format("the firmware reports throttling now (flags {:#x}): check power and cooling",
                                        s.throttle->raw));
    else if (s.throttle && s.throttle->any_since_boot())
        a.reasons.push_back(fmt::format("the firmware reported throttling since boot (flags {:#x})", s.throttle->raw));
}

} // namespace

std::string budget_string(std::uint64_t bytes)
{
    if (bytes >= (1ull << 30))
        return fmt::format("{:.2f}G", static_cast<double>(bytes) / (1ull << 30));
    return fmt::format("{}M", bytes / kMiB);
}

Assessment assess(const SystemSnapshot& s, std::optional<std::uint64_t> model_bytes)
{
    Assessment a;
    if (s.mem_available) {
        const bool pressure = s.psi_some_avg10 && *s.psi_some_avg10 >= kPsiHigh;
        const double share = pressure ? 0.60 : 0.75;
        a.budget_bytes = static_cast<std::uint64_t>(static_cast<double>(*s.mem_available) * share) / kMiB * kMiB;
        a.reasons.push_back(fmt::format("budget {} is {:.0f}% of the {} available{}", budget_string(*a.budget_bytes),
                                        share * 100, budget_string(*s.mem_available),
                                        pressure ? fmt::format(" (less than usual: memory pressure {:.1f}%)",
                                                               *s.psi_some_avg10)
                                                 : ", leaving the rest for the system and the page cache"));
    } else {
        a.reasons.push_back("MemAvailable is unknown: no budget recommended (give -b yourself)");
    }
    if (model_bytes && a.budget_bytes && *model_bytes > *a.budget_bytes) {
        a.strategy = "speculative-prefetch";
        a.reasons.push_back(fmt::format("the model's {} do not fit: stream them, reading ahead while computing",
                                        budget_string(*model_bytes)));
    } else if (model_bytes && a.budget_bytes) {
        a.reasons.push_back(fmt::format("the model's {} fit: auto keeps them resident", budget_string(*model_bytes)));
    } else {
        a.reasons.push_back("no model given (-m): auto picks the plan when the model is known");
    }
    thermal_reasons(s, a);
    return a;
}

} // namespace edge_rt::tools
