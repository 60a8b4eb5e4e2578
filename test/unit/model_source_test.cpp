#include "edge_rt/error.hpp"
#include "env.hpp"
#include "gguf_builder.hpp"
#include "model/model_source.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace edge_rt;
using ::testing::HasSubstr;

// Values from stories260K/SOURCE.md: no rope.freq_base key (default 10000), tied output
// absent from the hyper-parameters but an output.weight tensor present.
TEST(ModelSource, BundledGgufConfig)
{
    const auto m = model::open_model(test::bundled_model());
    EXPECT_EQ(m.format, model::FileFormat::Gguf);
    const auto& c = m.config;
    EXPECT_EQ(c.arch, model::Arch::Llama);
    EXPECT_EQ(c.n_vocab, 512u);
    EXPECT_EQ(c.n_embd, 64u);
    EXPECT_EQ(c.n_layer, 5u);
    EXPECT_EQ(c.n_head, 8u);
    EXPECT_EQ(c.n_head_kv, 4u);
    EXPECT_EQ(c.n_ff, 172u);
    EXPECT_EQ(c.n_rot, 8u);
    EXPECT_EQ(c.head_dim(), 8u);
    EXPECT_FLOAT_EQ(c.rope_freq_base, 10000.0f);
    EXPECT_FLOAT_EQ(c.norm_eps, 1e-5f);
    EXPECT_FALSE(c.tied_output);
    ASSERT_EQ(m.tensors.tensors.size(), 48u);
    EXPECT_EQ(m.tensors.require("blk.2.ffn_down.weight").shape, (std::vector<std::uint64_t>{172, 64}));
    EXPECT_EQ(m.tensors.require("blk.2.ffn_down.weight").rows(), 64u);
    EXPECT_EQ(m.tensors.total_bytes(), 1171200u);
}

TEST(ModelSource, RejectsUnknownArchitectureAndMissingKeys)
{
    test::TempDir dir;
    const auto mamba = dir.write("m.gguf", test::GgufBuilder().kv_string("general.architecture", "mamba").build());
    try {
        (void)model::open_model(mamba);
        FAIL();
    } catch (const FormatError& e) {
        EXPECT_THAT(e.what(), HasSubstr("unsupported architecture mamba"));
    }
    const auto bare = dir.write("b.gguf", test::GgufBuilder().kv_string("general.architecture", "llama").build());
    try {
        (void)model::open_model(bare);
        FAIL();
    } catch (const FormatError& e) {
        EXPECT_THAT(e.what(), HasSubstr("missing metadata key llama.embedding_length"));
        EXPECT_THAT(e.what(), HasSubstr(bare.string()));
    }
    EXPECT_THROW((void)model::open_model(dir.path() / "none.gguf"), IoError);
}
