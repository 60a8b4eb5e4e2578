// The partition planner (DESIGN.md §4): given the weight groups of a model in execution order,
// the fixed reservations and the budget, decide which groups stay resident, how the rest are
// grouped and streamed, and how many prefetch slots the ring has. Pure arithmetic: the engine
// measures sizes (with O_DIRECT alignment slack) and carries the plan out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::plan {

enum class Strategy { Sequential, GreedyGrouping, SpeculativePrefetch, Auto };

std::string_view to_string(Strategy s) noexcept;
/// "sequential", "greedy-grouping", "speculative-prefetch", "auto"; ConfigError otherwise.
Strategy parse_strategy(std::string_view s);

/// One weight group of the model (embedding, a layer, the output), in execution order.
struct GroupSize {
    std::string name;
    std::uint64_t bytes = 0;      // bytes a slot must hold to compute it (alignment included)
    std::uint64_t row_bytes = 0;  // > 0: the group can instead be read a row at a time (the
                                  // token embedding), a buffer of this size per row
};

/// Speeds the prediction uses; measured ones are better than the defaults.
struct CostModel {
    double read_bytes_per_s = 400e6;    // storage, as the reader achieves it
    double compute_bytes_per_s = 2e9;   // weight bytes the kernels consume per second (decode)
    double per_read_ms = 0.05;          // fixed cost of issuing one group's reads
};

struct PlanRequest {
    std::vector<GroupSize> groups;
    std::uint64_t budget = 0;
    std::uint64_t fixed_bytes = 0; // KV cache, activations, logits, scratch
    Strategy strategy = Strategy::SpeculativePrefetch;
    unsigned prefetch_depth = 2;   // slots in the ring for speculative-prefetch (>= 2 overlaps)
    CostModel cost;
};

/// Consecutive groups read and computed together.
struct PlannedGroup {
    std::vector<std::size_t> members; // indices into PlanRequest::groups, in order
    std::uint64_t bytes = 0;
    bool resident = false; // read once at load; otherwise streamed every forward pass
};

struct ExecutionPlan {
    Strategy strategy = Strategy::SpeculativePrefetch; // the one carried out (never Auto)
    std::vector<PlannedGroup> groups;  // execution order; on-demand groups are not listed
    std::vector<std::size_t> on_demand; // groups read a row at a time (the token embedding)
    unsigned slots = 0;                // prefetch ring slots (0: nothing is streamed)
    std::uint64_t slot_bytes = 0;
    std::uint64_t fixed_bytes = 0;     // request's fixed bytes + row buffers
    std::uint64_t resident_bytes = 0;
    std::uint64_t streamed_bytes = 0;  // read every forward pass
    std::uint64_t predicted_peak = 0;  // fixed + resident + ring: what the pool will enforce
    std::uint64_t minimum_budget = 0;
    double predicted_ms_per_token = 0;
    bool overlaps = false;             // reads run while earlier groups compute

    bool fully_resident() const { return streamed_bytes == 0; }
    double predicted_tokens_per_s() const { return predicted_ms_per_token > 0 ? 1000.0 / predicted_ms_per_token : 0; }
    /// A few lines for `inspect` and -v logs: groups, residency, ring, predictions.
    std::string explain(const PlanRequest& request) const;
};

/// The smallest budget any strategy can run in: fixed bytes (with row buffers for on-demand
/// groups) plus the largest group that must sit in a slot.
std::uint64_t minimum_budget(const PlanRequest& request);

/// Plans `request`. Throws BudgetError naming the budget and the minimum when it is too small.
ExecutionPlan make_plan(const PlanRequest& request);

/// Speculative decoding: how many draft tokens one verify pass should carry, at most
/// `max_draft`. A pass over k+1 tokens reads the streamed groups once, so it costs the same as a
/// one-token pass while the compute of k+1 tokens still fits under the read time; k is the
/// largest with (k+1) x compute per token <= read time per pass (at least 1). A fully resident
/// plan has no read time to fill: there a pass is bound by reading the weights from memory,
/// which the batch also does once, so `max_draft` it is.
std::size_t io_bound_draft_length(const ExecutionPlan& plan, const CostModel& cost, std::size_t max_draft);

} // namespace edge_rt::plan
