#include "streaming_equals_resident.hpp"

#include "streaming_support.hpp"

#include <cstring>
#include <gtest/gtest.h>

namespace edge_rt::test {
namespace {

constexpr std::size_t kPrompt = 19; // three chunks of 8: each group streams once per chunk
constexpr std::size_t kSteps = 6;

} // namespace

void expect_streaming_equals_resident(io::IoBackend backend)
{
    expect_streaming_equals_resident(backend, streaming_models());
}

void expect_streaming_equals_resident(io::IoBackend backend, const std::vector<std::filesystem::path>& models)
{
    for (const auto& model : models) {
        SCOPED_TRACE(model.string());
        runtime::Engine resident(model, small_options());
        ASSERT_TRUE(resident.plan().fully_resident());
        const GreedyRun want = greedy_run(resident, kPrompt, kSteps);
        const std::uint64_t budget = quarter_budget(model, kPrompt);
        for (const auto strategy : {plan::Strategy::Sequential, plan::Strategy::GreedyGrouping,
                                    plan::Strategy::SpeculativePrefetch, plan::Strategy::Auto}) {
            SCOPED_TRACE(std::string(plan::to_string(strategy)));
            auto options = small_options(kPrompt);
            options.budget = budget;
            options.strategy = strategy;
            options.reader.backend = backend;
            runtime::Engine streamed(model, options);
            ASSERT_FALSE(streamed.plan().fully_resident()) << "the budget must force streaming";
            ASSERT_EQ(streamed.reader().backend_name(), io::to_string(backend));
            const GreedyRun got = greedy_run(streamed, kPrompt, kSteps);
            EXPECT_EQ(got.ids, want.ids);
            ASSERT_EQ(got.logits.size(), want.logits.size());
            EXPECT_EQ(std::memcmp(got.logits.data(), want.logits.data(), want.logits.size() * sizeof(float)), 0)
                << "logits differ from the resident run";
            // Weights really streamed: every pass read at least the streamed groups' file bytes.
            EXPECT_EQ(streamed.totals().passes, 3u + kSteps);
            EXPECT_GT(streamed.totals().bytes_read, 0u);
            EXPECT_LE(streamed.budget().peak(), budget);
        }
    }
}

} // namespace edge_rt::test
