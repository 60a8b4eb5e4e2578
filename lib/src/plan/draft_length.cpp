#include "plan/plan.hpp"

#include <algorithm>
#include <cmath>

namespace edge_rt::plan {

std::size_t io_bound_draft_length(const ExecutionPlan& plan, const CostModel& cost, std::size_t max_draft)
{
    if (max_draft == 0)
        return 0;
    if (plan.fully_resident() || cost.read_bytes_per_s <= 0 || cost.compute_bytes_per_s <= 0)
        return max_draft;
    std::size_t streamed_groups = 0;
    for (const auto& g : plan.groups)
        streamed_groups += g.resident ? 0 : 1;
    const double read_ms = static_cast<double>(plan.streamed_bytes) / cost.read_bytes_per_s * 1e3 +
                           cost.per_read_ms * static_cast<double>(streamed_groups);
    const double compute_ms_per_token =
        static_cast<double>(plan.resident_bytes + plan.streamed_bytes) / cost.compute_bytes_per_s * 1e3;
    if (compute_ms_per_token <= 0)
        return max_draft;
    const double tokens = std::floor(read_ms / compute_ms_per_token); // k + 1 tokens fit
    return std::clamp<std::size_t>(tokens >= 2 ? static_cast<std::size_t>(tokens) - 1 : 1, 1, max_draft);
}

} // namespace edge_rt::plan
