// Human-readable summary of a plan, for `inspect` and verbose logs.
#include "plan/plan.hpp"

#include <fmt/format.h>

namespace edge_rt::plan {
namespace {
std::string mib(std::uint64_t b) { return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1024.0 * 1024.0)); }
} // namespace

std::string ExecutionPlan::explain(const PlanRequest& r) const
{
    std::size_t resident = 0, streamed = 0;
    for (const auto& g : groups)
        (g.resident ? resident : streamed) += 1;
    std::string out = fmt::format("strategy {}: {} resident group(s) ({}), {} streamed group(s) ({} per pass)",
                                  to_string(strategy), resident, mib(resident_bytes), streamed, mib(streamed_bytes));
    if (slots > 0)
        out += fmt::format(" through {} slot(s) of {}{}", slots, mib(slot_bytes), overlaps ? ", reads overlap compute" : ", no overlap");
    for (std::size_t i : on_demand)
        out += fmt::format("; {} read a row at a time", r.groups[i].name);
    out += fmt::format("\nfixed {}, predicted peak {} of a {} budget (minimum {}), predicted {:.2f} ms/token ({:.1f} tok/s)",
                       mib(fixed_bytes), mib(predicted_peak), mib(r.budget), mib(minimum_budget),
                       predicted_ms_per_token, predicted_tokens_per_s());
    return out;
}

} // namespace edge_rt::plan
