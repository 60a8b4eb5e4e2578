#include "edge_rt/error.hpp"
#include "plan/plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <random>

using namespace edge_rt;
using plan::Strategy;

namespace {

// embedding 100 (rows of 10), three layers of 50, output 80; 20 bytes fixed.
plan::PlanRequest small(std::uint64_t budget, Strategy s)
{
    plan::PlanRequest r;
    r.groups = {{"embd", 100, 10}, {"blk.0", 50, 0}, {"blk.1", 50, 0}, {"blk.2", 50, 0}, {"output", 80, 0}};
    r.fixed_bytes = 20;
    r.budget = budget;
    r.strategy = s;
    return r;
}

std::vector<std::vector<std::size_t>> members(const plan::ExecutionPlan& p)
{
    std::vector<std::vector<std::size_t>> m;
    for (const auto& g : p.groups)
        m.push_back(g.members);
    return m;
}

} // namespace

TEST(Planner, EverythingFitsMeansFullyResident)
{
    const auto p = plan::make_plan(small(350, Strategy::Sequential));
    EXPECT_TRUE(p.fully_resident());
    EXPECT_EQ(p.slots, 0u);
    EXPECT_TRUE(p.on_demand.empty());
    EXPECT_EQ(p.predicted_peak, 350u);
    EXPECT_EQ(p.groups.size(), 5u);
}

// Hand-worked at a budget of 250: the embedding goes row-at-a-time (fixed 20 + 10), leaving 220.
TEST(Planner, HandWorkedStrategies)
{
    const auto seq = plan::make_plan(small(250, Strategy::Sequential));
    EXPECT_EQ(seq.minimum_budget, 110u); // 30 fixed + the 80-byte output group
    EXPECT_EQ(seq.on_demand, (std::vector<std::size_t>{0}));
    EXPECT_EQ(members(seq), (std::vector<std::vector<std::size_t>>{{1}, {2}, {3}, {4}}));
    EXPECT_EQ(seq.slot_bytes, 80u);
    EXPECT_EQ(seq.slots, 1u);
    EXPECT_EQ(seq.predicted_peak, 110u);
    EXPECT_EQ(seq.streamed_bytes, 230u);
    EXPECT_FALSE(seq.overlaps);

    const auto greedy = plan::make_plan(small(250, Strategy::GreedyGrouping));
    EXPECT_EQ(members(greedy), (std::vector<std::vector<std::size_t>>{{1, 2, 3}, {4}}));
    EXPECT_EQ(greedy.slot_bytes, 150u);
    EXPECT_EQ(greedy.predicted_peak, 180u);
    EXPECT_FALSE(greedy.overlaps);

    // Slots of 50 force the output (80) resident: ring 100 + pinned 80 fits 220; slots of 80
    // would pin only one layer. Pinning more wins.
    const auto spec = plan::make_plan(small(250, Strategy::SpeculativePrefetch));
    EXPECT_EQ(members(spec), (std::vector<std::vector<std::size_t>>{{1}, {2}, {3}, {4}}));
    EXPECT_TRUE(spec.groups[3].resident);
    EXPECT_FALSE(spec.groups[0].resident);
    EXPECT_EQ(spec.slots, 2u);
    EXPECT_EQ(spec.slot_bytes, 50u);
    EXPECT_EQ(spec.streamed_bytes, 150u);
    EXPECT_EQ(spec.predicted_peak, 30u + 80u + 100u);
    EXPECT_TRUE(spec.overlaps);
}

// Eight equal layers and room to pin four: the pinned ones alternate with streamed ones
// (blk.1, 3, 5, 7), so the reader has a free slot while each pinned layer computes.
// 30 fixed + ring 2 x 50 + output 80 (larger than a slot) + 4 x 50 = 410.
TEST(Planner, PinnedLayersAreSpreadThroughThePass)
{
    plan::PlanRequest r;
    r.groups.push_back({"embd", 100, 10});
    for (int i = 0; i < 8; ++i)
        r.groups.push_back({"blk", 50, 0});
    r.groups.push_back({"output", 80, 0});
    r.fixed_bytes = 20;
    r.budget = 410;
    r.strategy = Strategy::SpeculativePrefetch;
    const auto p = plan::make_plan(r);
    std::vector<std::size_t> pinned;
    for (const auto& g : p.groups)
        if (g.resident)
            pinned.insert(pinned.end(), g.members.begin(), g.members.end());
    EXPECT_EQ(pinned, (std::vector<std::size_t>{2, 4, 6, 8, 9}));
    EXPECT_EQ(p.slots, 2u);
    EXPECT_EQ(p.slot_bytes, 50u);
    EXPECT_EQ(p.predicted_peak, 410u);
    // One byte less pins three, still spread: positions 1, 4 and 6 of the eight (blk.1, 4, 6).
    r.budget = 409;
    pinned.clear();
    for (const auto& g : plan::make_plan(r).groups)
        if (g.resident)
            pinned.insert(pinned.end(), g.members.begin(), g.members.end());
    EXPECT_EQ(pinned, (std::vector<std::size_t>{2, 5, 7, 9}));
}

TEST(Planner, BelowTheMinimumFailsNamingIt)
{
    EXPECT_NO_THROW(plan::make_plan(small(110, Strategy::SpeculativePrefetch)));
    try {
        (void)plan::make_plan(small(109, Strategy::SpeculativePrefetch));
        FAIL();
    } catch (const BudgetError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("minimum of 110 bytes"));
    }
    // At the minimum there is no room for two slots: speculative degrades to one, no overlap.
    const auto tight = plan::make_plan(small(110, Strategy::SpeculativePrefetch));
    EXPECT_EQ(tight.slots, 1u);
    EXPECT_FALSE(tight.overlaps);
    EXPECT_LE(tight.predicted_peak, 110u);
}

TEST(Planner, StrategyNames)
{
    for (Strategy s : {Strategy::Sequential, Strategy::GreedyGrouping, Strategy::SpeculativePrefetch, Strategy::Auto})
        EXPECT_EQ(plan::parse_strategy(plan::to_string(s)), s);
    EXPECT_THROW(plan::parse_strategy("fastest"), ConfigError);
}

// Property: for random models, budgets and strategies the plan never exceeds the budget, covers
// every group exactly once in execution order, and auto is never predicted slower.
TEST(Planner, RandomModelsRespectTheBudget)
{
    std::mt19937_64 rng(2024);
    for (int round = 0; round < 400; ++round) {
        plan::PlanRequest r;
        const std::size_t layers = 1 + rng() % 40;
        r.groups.push_back({"embd", 1000 + rng() % 50000, 1 + rng() % 500});
        for (std::size_t i = 0; i < layers; ++i)
            r.groups.push_back({"blk", 100 + rng() % 10000, 0});
        r.groups.push_back({"output", 1000 + rng() % 50000, 0});
        r.fixed_bytes = rng() % 20000;
        std::uint64_t total = r.fixed_bytes;
        for (const auto& g : r.groups)
            total += g.bytes;
        const std::uint64_t min = plan::minimum_budget(r);
        r.budget = min + rng() % (total + total / 5 - min + 1);
        r.prefetch_depth = 1 + static_cast<unsigned>(rng() % 4);
        double best_ms = 1e300;
        for (Strategy s : {Strategy::Sequential, Strategy::GreedyGrouping, Strategy::SpeculativePrefetch, Strategy::Auto}) {
            r.strategy = s;
            const auto p = plan::make_plan(r);
            SCOPED_TRACE(::testing::Message() << "round " << round << " " << plan::to_string(s) << "\n" << p.explain(r));
            ASSERT_LE(p.predicted_peak, r.budget);
            std::vector<std::size_t> seen(p.on_demand);
            for (const auto& g : p.groups) {
                seen.insert(seen.end(), g.members.begin(), g.members.end());
                if (!g.resident) {
                    ASSERT_LE(g.bytes, p.slot_bytes);
                }
            }
            std::sort(seen.begin(), seen.end());
            for (std::size_t i = 0; i < r.groups.size(); ++i)
                ASSERT_EQ(seen.at(i), i);
            std::size_t last = 0;
            for (const auto& g : p.groups)
                for (std::size_t m : g.members) {
                    ASSERT_GE(m, last);
                    last = m;
                }
            if (p.streamed_bytes > 0) {
                ASSERT_GE(p.slots, 1u);
            }
            if (s == Strategy::Auto) {
                ASSERT_LE(p.predicted_ms_per_token, best_ms + 1e-9);
            } else {
                best_ms = std::min(best_ms, p.predicted_ms_per_token);
            }
        }
    }
}
