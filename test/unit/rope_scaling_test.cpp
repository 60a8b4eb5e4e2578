// Scaled RoPE: Llama 3's frequency factors and linear scaling, as the config gets them from
// GGUF keys/tensors, and the rope_factors kernel's angles computed by hand.
#include "edge_rt/error.hpp"
#include "gguf_builder.hpp"
#include "kernels/kernel_table.hpp"
#include "model/model_source.hpp"
#include "model/rope_scaling.hpp"
#include "temp_dir.hpp"

#include <cmath>
#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <numbers>

using namespace edge_rt;
using ::testing::HasSubstr;

namespace {

// A 1-layer llama GGUF header (no tensors needed to read the config) with `extra` keys.
test::GgufBuilder llama_header()
{
    test::GgufBuilder b;
    b.kv_string("general.architecture", "llama")
        .kv_u32("llama.embedding_length", 64)
        .kv_u32("llama.block_count", 1)
        .kv_u32("llama.attention.head_count", 4)
        .kv_u32("llama.feed_forward_length", 128)
        .kv_u32("llama.context_length", 64)
        .kv_u32("llama.vocab_size", 32);
    return b;
}

std::string open_error(const std::filesystem::path& path)
{
    try {
        (void)model::open_model(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "no error";
}

std::vector<std::uint8_t> f32_le(const std::vector<float>& v)
{
    std::vector<std::uint8_t> out(v.size() * 4);
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

} // namespace

// The values convert_hf_to_gguf wrote into ../shared/models/arch/llama3rope-w256.gguf for base
// 500000, 32 rotated dimensions, factor 8, low/high 1/4 and an original context of 64 (README).
TEST(RopeScaling, Llama3FactorsMatchConvertHfToGguf)
{
    const auto f = model::llama3_rope_factors({8.0, 1.0, 4.0, 64.0}, 500000.0, 32);
    const std::vector<float> want{1, 1, 2.4422591f, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    ASSERT_EQ(f.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(f[i], want[i], 1e-6) << i;
}

TEST(RopeScaling, GgufLinearScalingAndUnsupportedKinds)
{
    const test::TempDir dir;
    const auto linear = dir.write("l.gguf", llama_header()
                                                .kv_string("llama.rope.scaling.type", "linear")
                                                .kv_f32("llama.rope.scaling.factor", 4.0f)
                                                .build());
    const auto c = model::open_model(linear).config;
    EXPECT_EQ(c.rope_freq_factors, std::vector<float>(8, 4.0f)); // n_rot 16: 8 pairs
    const auto none = dir.write("n.gguf", llama_header().kv_string("llama.rope.scaling.type", "none").build());
    EXPECT_TRUE(model::open_model(none).config.rope_freq_factors.empty());
    const auto yarn = dir.write("y.gguf", llama_header()
                                              .kv_string("llama.rope.scaling.type", "yarn")
                                              .kv_f32("llama.rope.scaling.factor", 4.0f)
                                              .build());
    EXPECT_THAT(open_error(yarn), HasSubstr("unsupported llama.rope.scaling.type yarn"));
    const auto no_factor = dir.write("f.gguf", llama_header().kv_string("llama.rope.scaling.type", "linear").build());
    EXPECT_THAT(open_error(no_factor), HasSubstr("needs a positive llama.rope.scaling.factor"));
}

TEST(RopeScaling, GgufRopeFreqsTensorIsReadAndChecked)
{
    const test::TempDir dir;
    const std::vector<float> factors{1, 2, 3, 4, 5, 6, 7, 8};
    const auto good = dir.write("g.gguf", llama_header().tensor("rope_freqs.weight", {8}, 0, f32_le(factors)).build());
    EXPECT_EQ(model::open_model(good).config.rope_freq_factors, factors);
    const auto wrong_size =
        dir.write("w.gguf", llama_header().tensor("rope_freqs.weight", {4}, 0, f32_le({1, 2, 3, 4})).build());
    EXPECT_THAT(open_error(wrong_size), HasSubstr("rope_freqs.weight must be F32 [8]"));
    const auto negative = dir.write(
        "n.gguf", llama_header().tensor("rope_freqs.weight", {8}, 0, f32_le({1, 2, 3, -4, 5, 6, 7, 8})).build());
    EXPECT_THAT(open_error(negative), HasSubstr("rope_freqs.weight holds -4, not a positive factor"));
}

TEST(RopeScaling, GgufQwen2AndPhi2Configs)
{
    const test::TempDir dir;
    test::GgufBuilder q;
    q.kv_string("general.architecture", "qwen2")
        .kv_u32("qwen2.embedding_length", 64)
        .kv_u32("qwen2.block_count", 1)
        .kv_u32("qwen2.attention.head_count", 4)
        .kv_u32("qwen2.feed_forward_length", 128)
        .kv_u32("qwen2.context_length", 64)
        .kv_u32("qwen2.vocab_size", 32)
        .kv_f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
    const auto qc = model::open_model(dir.write("q.gguf", q.build())).config;
    EXPECT_EQ(qc.arch, model::Arch::Qwen2);
    EXPECT_TRUE(qc.qkv_bias);
    EXPECT_EQ(qc.rope_style, model::RopeStyle::Halves);
    EXPECT_FLOAT_EQ(qc.norm_eps, 1e-6f);
    EXPECT_TRUE(qc.tied_output);
    test::GgufBuilder p;
    p.kv_string("general.architecture", "phi2")
        .kv_u32("phi2.embedding_length", 64)
        .kv_u32("phi2.block_count", 1)
        .kv_u32("phi2.attention.head_count", 4)
        .kv_u32("phi2.feed_forward_length", 128)
        .kv_u32("phi2.context_length", 64)
        .kv_u32("phi2.vocab_size", 32)
        .kv_u32("phi2.rope.dimension_count", 6)
        .kv_f32("phi2.attention.layer_norm_epsilon", 1e-5f)
        .tensor("blk.0.attn_qkv.weight", {64, 192}, 0, std::vector<std::uint8_t>(64 * 192 * 4));
    const auto pc = model::open_model(dir.write("p.gguf", p.build())).config;
    EXPECT_EQ(pc.arch, model::Arch::Phi2);
    EXPECT_EQ(pc.n_rot, 6u);
    EXPECT_TRUE(pc.fused_qkv);
    EXPECT_FALSE(pc.qkv_bias);
    EXPECT_EQ(pc.rope_style, model::RopeStyle::Halves);
}

// Pair i rotates by pos * base^(-2i/n_rot) / factor[i]; dimensions from n_rot on pass through.
TEST(RopeScaling, KernelDividesEachPairsAngleByItsFactor)
{
    const auto& k = kernels::scalar_kernels();
    const std::size_t head_dim = 8, n_rot = 4, pos = 5;
    const float base = 100.0f;
    const float factors[] = {2.0f, 0.5f};
    std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8};
    k.rope_factors(x.data(), 1, head_dim, n_rot, pos, base, kernels::RopePairing::Halves, factors);
    const std::vector<float> in{1, 2, 3, 4};
    for (std::size_t i = 0; i < 2; ++i) {
        const double angle = pos * std::pow(100.0, -2.0 * i / n_rot) / factors[i];
        const double a = in[i], b = in[i + 2]; // halves: (x_i, x_{i+n_rot/2})
        EXPECT_NEAR(x[i], a * std::cos(angle) - b * std::sin(angle), 1e-6) << i;
        EXPECT_NEAR(x[i + 2], a * std::sin(angle) + b * std::cos(angle), 1e-6) << i;
    }
    EXPECT_EQ((std::vector<float>(x.begin() + 4, x.end())), (std::vector<float>{5, 6, 7, 8}));
    // No factors: the plain rope kernel, bit for bit.
    std::vector<float> y{1, 2, 3, 4, 5, 6, 7, 8}, z = y;
    k.rope_factors(y.data(), 1, head_dim, n_rot, pos, base, kernels::RopePairing::Interleaved, nullptr);
    k.rope(z.data(), 1, head_dim, n_rot, pos, base, kernels::RopePairing::Interleaved);
    EXPECT_EQ(y, z);
}
