// The public PlanInfo of an internal plan: what async_plan returns, Model::plan() keeps and
// inspect_model reports for each cell of its sweep.
#pragma once

#include "edge_rt/model.hpp"
#include "plan/plan.hpp"

namespace edge_rt::api {

inline PlanInfo plan_info(const plan::ExecutionPlan& plan, std::size_t n_ctx)
{
    PlanInfo info;
    info.strategy = parse_strategy(plan::to_string(plan.strategy));
    info.n_ctx = n_ctx;
    info.groups = plan.groups.size();
    for (const auto& g : plan.groups)
        ++(g.resident ? info.resident_groups : info.streamed_groups);
    info.on_demand = plan.on_demand;
    info.slots = plan.slots;
    info.slot_bytes = plan.slot_bytes;
    info.fixed_bytes = plan.fixed_bytes;
    info.resident_bytes = plan.resident_bytes;
    info.streamed_bytes_per_pass = plan.streamed_bytes;
    info.predicted_peak_bytes = plan.predicted_peak;
    info.minimum_budget_bytes = plan.minimum_budget;
    info.predicted_ms_per_token = plan.predicted_ms_per_token;
    info.predicted_tokens_per_s = plan.predicted_tokens_per_s();
    info.overlaps = plan.overlaps;
    info.fully_resident = plan.fully_resident();
    return info;
}

} // namespace edge_rt::api
