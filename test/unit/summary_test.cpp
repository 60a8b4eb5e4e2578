#include "env.hpp"
#include "model/summary.hpp"

#include <gtest/gtest.h>

using namespace edge_rt;

// Hand-computed from the model's hyper-parameters (stories260K/SOURCE.md):
// per block 2*64 (norms) + 64*64*2 (wq, wo) + 32*64*2 (wk, wv) + 3*172*64 (ffn) floats.
TEST(ModelSummary, BundledModelWeightBytes)
{
    const auto s = model::summarize(model::read_gguf(test::bundled_model()));
    constexpr std::uint64_t per_block = (2 * 64 + 2 * 64 * 64 + 2 * 32 * 64 + 3 * 172 * 64) * 4;
    constexpr std::uint64_t embd = 512 * 64 * 4;
    EXPECT_EQ(s.architecture, "llama");
    EXPECT_EQ(s.vocab_size, 512u);
    ASSERT_EQ(s.layers.size(), 7u);
    EXPECT_EQ(s.layers.front().name, "embeddings");
    EXPECT_EQ(s.layers.front().bytes, embd);
    for (int i = 1; i <= 5; ++i) {
        EXPECT_EQ(s.layers[static_cast<std::size_t>(i)].bytes, per_block) << s.layers[static_cast<std::size_t>(i)].name;
        EXPECT_EQ(s.layers[static_cast<std::size_t>(i)].tensors, 9u);
    }
    EXPECT_EQ(s.layers.back().name, "output");
    EXPECT_EQ(s.layers.back().bytes, embd + 64 * 4); // output.weight + output_norm
    EXPECT_EQ(s.weight_bytes, 2 * embd + 64 * 4 + 5 * per_block);
    EXPECT_EQ(s.bytes_by_type.size(), 1u);
    EXPECT_EQ(s.bytes_by_type.at("F32"), s.weight_bytes);
    // K and V, 5 layers, 4 kv heads of 8 dims, 4 bytes each.
    EXPECT_EQ(s.kv_bytes_per_token(), 2u * 5 * 4 * 8 * 4);
}
