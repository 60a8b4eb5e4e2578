// Property test: random budgets (from the minimum up to the whole model) and random
// strategies. The pool never goes past the budget (nor past the plan's predicted peak), and
// every group is computed exactly once per pass, in execution order.
#include "streaming_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "runtime/conversation.hpp"

#include <gtest/gtest.h>
#include <mutex>
#include <random>

using namespace edge_rt;
using namespace edge_rt::test;

TEST(BudgetInvariant, RandomBudgetsAndStrategiesStayWithinTheBudgetAndComputeEachGroupOnce)
{
    std::mt19937_64 rng(20240611);
    const plan::Strategy strategies[] = {plan::Strategy::Sequential, plan::Strategy::GreedyGrouping,
                                         plan::Strategy::SpeculativePrefetch, plan::Strategy::Auto};
    for (const auto& model : streaming_models()) {
        SCOPED_TRACE(model.string());
        runtime::Engine resident(model, small_options());
        const auto minimum = plan::minimum_budget(resident.plan_request());
        const auto whole = resident.plan().predicted_peak;
        const std::size_t n_groups = resident.arch().groups().size();
        for (int trial = 0; trial < 6; ++trial) {
            std::vector<std::size_t> computed;
            std::mutex m;
            auto options = small_options();
            options.budget = std::uniform_int_distribution<std::uint64_t>(minimum, whole)(rng);
            options.strategy = strategies[rng() % 4];
            options.prefetch_depth = 1 + static_cast<unsigned>(rng() % 3);
            options.reader.backend = io::IoBackend::Pread;
            options.on_group = [&](std::size_t g) {
                std::lock_guard lock(m);
                computed.push_back(g);
            };
            SCOPED_TRACE(testing::Message() << "budget " << options.budget << " strategy "
                                            << plan::to_string(options.strategy) << " depth " << options.prefetch_depth);
            runtime::Engine engine(model, options);
            EXPECT_LE(engine.plan().predicted_peak, options.budget);
            {
                runtime::Conversation session(engine);
                const std::vector<std::int32_t> prompt{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; // two chunks of 8
                auto logits = session.forward(prompt);
                for (int step = 0; step < 3; ++step)
                    logits = session.forward(std::vector<std::int32_t>{static_cast<std::int32_t>(step + 20)});
            }
            const std::size_t passes = 2 + 3;
            ASSERT_EQ(computed.size(), passes * n_groups);
            for (std::size_t i = 0; i < computed.size(); ++i)
                ASSERT_EQ(computed[i], i % n_groups) << "call " << i;
            EXPECT_LE(engine.budget().peak(), options.budget);
            EXPECT_LE(engine.budget().peak(), engine.plan().predicted_peak);
            // Every lease and charge of the session went back (the engine keeps its own).
            EXPECT_EQ(engine.budget().current(), engine.plan().predicted_peak - (engine.plan().fixed_bytes -
                      [&] { std::uint64_t rows = 0; for (auto g : engine.plan().on_demand)
                                rows += engine.plan_request().groups[g].row_bytes; return rows; }()));
        }
    }
}

TEST(BudgetInvariant, BelowTheMinimumFailsBeforeAnyRead)
{
    runtime::Engine resident(bundled_model(), small_options());
    const auto minimum = plan::minimum_budget(resident.plan_request());
    auto options = small_options();
    options.budget = minimum - 1;
    int reads = 0;
    options.reader.fault = [&](std::uint32_t, std::uint64_t, std::size_t, int result) {
        ++reads;
        return result;
    };
    try {
        runtime::Engine engine(bundled_model(), options);
        FAIL() << "a budget below the minimum loaded";
    } catch (const BudgetError& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(minimum)), std::string::npos) << e.what();
    }
    EXPECT_EQ(reads, 0);
}
