#include "plan/plan.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <numeric>
#include <optional>
#include <set>

namespace edge_rt::plan {
namespace {

// The groups as the streaming plans see them: row-readable ones (the token embedding) become
// on-demand and cost one row buffer instead of a slot.
struct Layout {
    std::vector<std::size_t> slotted;
    std::vector<std::size_t> on_demand;
    std::uint64_t fixed = 0;
    std::uint64_t slotted_bytes = 0;
    std::uint64_t largest = 0;
};

Layout streaming_layout(const PlanRequest& r)
{
    Layout l;
    l.fixed = r.fixed_bytes;
    for (std::size_t i = 0; i < r.groups.size(); ++i) {
        const auto& g = r.groups[i];
        if (g.row_bytes > 0) {
            l.on_demand.push_back(i);
            l.fixed += g.row_bytes;
            continue;
        }
        l.slotted.push_back(i);
        l.slotted_bytes += g.bytes;
        l.largest = std::max(l.largest, g.bytes);
    }
    return l;
}

std::uint64_t total_bytes(const PlanRequest& r)
{
    return std::accumulate(r.groups.begin(), r.groups.end(), std::uint64_t{0},
                           [](std::uint64_t s, const GroupSize& g) { return s + g.bytes; });
}

ExecutionPlan resident_plan(const PlanRequest& r, const Layout* streaming)
{
    ExecutionPlan p;
    p.fixed_bytes = streaming ? streaming->fixed : r.fixed_bytes;
    if (streaming)
        p.on_demand = streaming->on_demand;
    for (std::size_t i = 0; i < r.groups.size(); ++i)
        if (!streaming || r.groups[i].row_bytes == 0)
            p.groups.push_back({{i}, r.groups[i].bytes, true});
    return p;
}

ExecutionPlan sequential_plan(const PlanRequest& r, const Layout& l)
{
    ExecutionPlan p;
    p.fixed_bytes = l.fixed;
    p.on_demand = l.on_demand;
    for (std::size_t i : l.slotted)
        p.groups.push_back({{i}, r.groups[i].bytes, false});
    p.slots = 1;
    p.slot_bytes = l.largest;
    return p;
}

// Consecutive groups packed into one slot of `slot` bytes, in order.
void pack_streamed(const PlanRequest& r, const std::vector<std::size_t>& order, std::uint64_t slot,
                   ExecutionPlan& p, const std::set<std::size_t>& pinned)
{
    PlannedGroup cur;
    const auto flush = [&] {
        if (!cur.members.empty())
            p.groups.push_back(std::move(cur));
        cur = {};
    };
    for (std::size_t i : order) {
        if (pinned.count(i)) {
            flush();
            p.groups.push_back({{i}, r.groups[i].bytes, true});
            continue;
        }
        if (cur.bytes + r.groups[i].bytes > slot)
            flush();
        cur.members.push_back(i);
        cur.bytes += r.groups[i].bytes;
    }
    flush();
    for (const auto& g : p.groups)
        if (!g.resident)
            p.slot_bytes = std::max(p.slot_bytes, g.bytes);
}

ExecutionPlan greedy_plan(const PlanRequest& r, const Layout& l, std::uint64_t avail)
{
    ExecutionPlan p;
    p.fixed_bytes = l.fixed;
    p.on_demand = l.on_demand;
    pack_streamed(r, l.slotted, avail, p, {});
    p.slots = 1;
    return p;
}

// `take` of the `n` positions, spread evenly: position (k + 1/2) * n / take for each k.
std::vector<std::size_t> spread_positions(std::size_t n, std::size_t take)
{
    std::vector<std::size_t> at;
    for (std::size_t k = 0; k < take; ++k)
        at.push_back((2 * k + 1) * n / (2 * take));
    return at;
}

// For a slot size `slot`: groups larger than it must be pinned; then pin the largest others
// that still fit. Among groups of equal size (a model's layers) the pinned ones are spread
// through the pass instead of taken from its start: a run of pinned groups computes while
// every slot already holds a later group, so the reader idles; one pinned group between
// streamed ones keeps it busy. Returns the pinned set, or nothing when `slot` is infeasible.
std::optional<std::set<std::size_t>> choose_pins(const PlanRequest& r, const Layout& l, std::uint64_t slot,
                                                 std::uint64_t pin_budget)
{
    std::set<std::size_t> pinned;
    std::uint64_t used = 0;
    std::vector<std::size_t> others;
    for (std::size_t i : l.slotted) {
        if (r.groups[i].bytes > slot) {
            pinned.insert(i);
            used += r.groups[i].bytes;
        } else {
            others.push_back(i);
        }
    }
    if (used > pin_budget)
        return std::nullopt;
    std::stable_sort(others.begin(), others.end(),
                     [&](std::size_t a, std::size_t b) { return r.groups[a].bytes > r.groups[b].bytes; });
    for (std::size_t run = 0; run < others.size();) {
        const std::uint64_t bytes = r.groups[others[run]].bytes;
        std::size_t end = run;
        while (end < others.size() && r.groups[others[end]].bytes == bytes)
            ++end;
        const std::uint64_t fit = bytes == 0 ? end - run : (pin_budget - used) / bytes;
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(fit, end - run));
        for (std::size_t at : spread_positions(end - run, take))
            pinned.insert(others[run + at]);
        used += take * bytes;
        run = end;
    }
    return pinned;
}

ExecutionPlan speculative_plan(const PlanRequest& r, const Layout& l, std::uint64_t avail)
{
    std::set<std::uint64_t> sizes;
    for (std::size_t i : l.slotted)
        sizes.insert(r.groups[i].bytes);
    for (unsigned depth = std::max(1u, r.prefetch_depth); depth >= 1; --depth) {
        std::optional<std::set<std::size_t>> best;
        std::uint64_t best_slot = 0, best_pinned = 0;
        for (std::uint64_t slot : sizes) {
            if (slot > avail / depth)
                break;
            auto pins = choose_pins(r, l, slot, avail - depth * slot);
            if (!pins)
                continue;
            std::uint64_t pinned = 0;
            for (std::size_t i : *pins)
                pinned += r.groups[i].bytes;
            if (!best || pinned > best_pinned) {
                best = std::move(pins);
                best_slot = slot;
                best_pinned = pinned;
            }
        }
        if (!best)
            continue;
        ExecutionPlan p;
        p.fixed_bytes = l.fixed;
        p.on_demand = l.on_demand;
        pack_streamed(r, l.slotted, best_slot, p, *best);
        p.slots = depth;
        return p;
    }
    return sequential_plan(r, l); // unreachable when avail >= largest, kept as the safe answer
}

void finish(const PlanRequest& r, ExecutionPlan& p, Strategy s, std::uint64_t minimum)
{
    p.strategy = s;
    p.minimum_budget = minimum;
    std::size_t streamed_groups = 0;
    std::uint64_t used_bytes = 0;
    for (const auto& g : p.groups) {
        (g.resident ? p.resident_bytes : p.streamed_bytes) += g.bytes;
        streamed_groups += g.resident ? 0 : 1;
        used_bytes += g.bytes;
    }
    if (p.streamed_bytes == 0) {
        p.slots = 0;
        p.slot_bytes = 0;
    }
    p.overlaps = p.slots >= 2 && s == Strategy::SpeculativePrefetch;
    p.predicted_peak = p.fixed_bytes + p.resident_bytes + std::uint64_t{p.slots} * p.slot_bytes;
    const double read_ms = static_cast<double>(p.streamed_bytes) / r.cost.read_bytes_per_s * 1e3 +
                           static_cast<double>(streamed_groups) * r.cost.per_read_ms;
    const double compute_ms = static_cast<double>(used_bytes) / r.cost.compute_bytes_per_s * 1e3;
    p.predicted_ms_per_token = p.streamed_bytes == 0 ? compute_ms
                               : p.overlaps          ? std::max(read_ms, compute_ms)
                                                     : read_ms + compute_ms;
}

} // namespace

std::uint64_t minimum_budget(const PlanRequest& r)
{
    const Layout l = streaming_layout(r);
    return std::min(r.fixed_bytes + total_bytes(r), l.fixed + l.largest);
}

ExecutionPlan make_plan(const PlanRequest& r)
{
    const std::uint64_t minimum = minimum_budget(r);
    if (r.budget < minimum)
        throw BudgetError(fmt::format("memory budget of {} bytes is below this model's minimum of {} bytes "
                                      "(fixed reservations plus the largest weight group)",
                                      r.budget, minimum));
    const Strategy wanted = r.strategy == Strategy::Auto ? Strategy::SpeculativePrefetch : r.strategy;
    ExecutionPlan p;
    const Layout l = streaming_layout(r);
    if (r.fixed_bytes + total_bytes(r) <= r.budget) {
        p = resident_plan(r, nullptr);
    } else if (l.fixed + l.slotted_bytes <= r.budget) {
        p = resident_plan(r, &l);
    } else if (r.strategy == Strategy::Auto) {
        ExecutionPlan best;
        for (Strategy s : {Strategy::SpeculativePrefetch, Strategy::GreedyGrouping, Strategy::Sequential}) {
            PlanRequest one = r;
            one.strategy = s;
            ExecutionPlan cand = make_plan(one);
            if (best.groups.empty() || cand.predicted_ms_per_token < best.predicted_ms_per_token)
                best = std::move(cand);
        }
        return best;
    } else {
        const std::uint64_t avail = r.budget - l.fixed;
        p = wanted == Strategy::Sequential       ? sequential_plan(r, l)
            : wanted == Strategy::GreedyGrouping ? greedy_plan(r, l, avail)
                                                 : speculative_plan(r, l, avail);
    }
    finish(r, p, wanted, minimum);
    return p;
}

} // namespace edge_rt::plan
