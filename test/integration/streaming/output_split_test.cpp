// A vocabulary-sized output matrix does not set the slot size: the runtime splits it into
// parts no larger than a layer, so the minimum budget and the prefetch slots are a layer's.
// (That the split changes no logit is checked by the streaming-equals-resident tests, which
// run this model, and bit for bit against the whole head in test/unit/output_split_test.cpp.)
#include "streaming_support.hpp"

#include "plan/plan.hpp"

#include <algorithm>
#include <gtest/gtest.h>

using namespace edge_rt;

TEST(OutputSplit, TheOutputStreamsInPartsNoLargerThanALayer)
{
    runtime::Engine resident(test::wide_vocab_model(), test::small_options());
    const auto& r = resident.plan_request();
    std::uint64_t largest_layer = 0, output_bytes = 0;
    std::size_t parts = 0;
    for (const auto& g : r.groups) {
        if (g.name.rfind("layer", 0) == 0)
            largest_layer = std::max(largest_layer, g.bytes);
        if (g.name.rfind("output", 0) == 0) {
            ++parts;
            output_bytes += g.bytes;
        }
    }
    ASSERT_GE(parts, 3u) << "4096 x 64 Q8_0 is over three layers";
    EXPECT_GT(output_bytes, 3 * largest_layer);
    for (const auto& g : r.groups) {
        if (g.row_bytes == 0) { // the embedding is read a row at a time, not through a slot
            EXPECT_LE(g.bytes, largest_layer) << g.name;
        }
    }
    std::uint64_t rows = 0;
    for (const auto& g : r.groups)
        rows += g.row_bytes;
    EXPECT_EQ(plan::minimum_budget(r), r.fixed_bytes + rows + largest_layer);

    auto options = test::small_options();
    options.budget = r.fixed_bytes + rows + 3 * largest_layer;
    runtime::Engine streamed(test::wide_vocab_model(), options);
    EXPECT_EQ(streamed.plan().slot_bytes, largest_layer);
    EXPECT_GE(streamed.plan().slots, 2u);
    EXPECT_TRUE(streamed.plan().overlaps);
}
