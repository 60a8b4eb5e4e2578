#include "edge_rt/error.hpp"
#include "env.hpp"
#include "gguf_builder.hpp"
#include "model/gguf.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

using namespace edge_rt;
using edge_rt::test::GgufBuilder;

namespace {
std::vector<std::uint8_t> f32_bytes(std::size_t n)
{
    std::vector<std::uint8_t> b(n * 4);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return b;
}
} // namespace

// The bundled stories260K model: the numbers come from its SOURCE.md (llama2.c header
// dim=64, hidden=172, 5 layers, 8 heads, 4 kv heads, vocab 512; 48 F32 tensors).
TEST(GgufReader, ReadsTheBundledLlamaModel)
{
    const auto f = model::read_gguf(test::bundled_model());
    EXPECT_EQ(f.version, 3u);
    EXPECT_EQ(f.file_size, 1185376u);
    EXPECT_EQ(f.alignment, 32u);
    EXPECT_EQ(f.tensors.size(), 48u);
    EXPECT_EQ(f.get_string("general.architecture"), "llama");
    EXPECT_EQ(f.get_uint("llama.embedding_length"), 64u);
    EXPECT_EQ(f.get_uint("llama.block_count"), 5u);
    EXPECT_EQ(f.get_uint("llama.feed_forward_length"), 172u);
    EXPECT_EQ(f.get_uint("llama.attention.head_count"), 8u);
    EXPECT_EQ(f.get_uint("llama.attention.head_count_kv"), 4u);
    const auto* tokens = f.find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    ASSERT_NE(tokens->as_array(), nullptr);
    EXPECT_EQ(tokens->as_array()->size(), 512u);
    EXPECT_EQ(tokens->elem_type, model::GgufType::String);

    const auto* wq = f.find_tensor("blk.0.attn_q.weight");
    ASSERT_NE(wq, nullptr);
    EXPECT_EQ(wq->shape, (std::vector<std::uint64_t>{64, 64}));
    EXPECT_EQ(wq->nbytes, 64u * 64u * 4u);
    const auto* wk = f.find_tensor("blk.0.attn_k.weight");
    ASSERT_NE(wk, nullptr);
    EXPECT_EQ(wk->shape, (std::vector<std::uint64_t>{64, 32}));
    const auto* ffn = f.find_tensor("blk.4.ffn_up.weight");
    ASSERT_NE(ffn, nullptr);
    EXPECT_EQ(ffn->shape, (std::vector<std::uint64_t>{64, 172}));

    // Every tensor lies inside the data section, aligned, and the last one ends at the file's end.
    std::uint64_t end = 0;
    for (const auto& t : f.tensors) {
        EXPECT_EQ((t.offset - f.data_offset) % f.alignment, 0u) << t.name;
        end = std::max(end, t.offset + t.nbytes);
    }
    EXPECT_EQ(end, f.file_size);
}

TEST(GgufReader, RoundTripsBuiltFile)
{
    test::TempDir dir;
    const auto bytes = GgufBuilder()
                           .alignment(64)
                           .kv_string("general.architecture", "llama")
                           .kv_f32("llama.rope.freq_base", 500000.0f)
                           .kv_strings("tokenizer.ggml.tokens", {"a", "b", "<0x0A>"})
                           .kv_i32s("tokenizer.ggml.token_type", {1, -2, 6})
                           .tensor("t0", {8, 2}, 0, f32_bytes(16))
                           .tensor("t1", {32}, 8, std::vector<std::uint8_t>(34, 5))
                           .build();
    const auto f = model::read_gguf(dir.write("m.gguf", bytes));
    EXPECT_EQ(f.alignment, 64u);
    EXPECT_EQ(f.data_offset % 64, 0u);
    EXPECT_DOUBLE_EQ(*f.get_float("llama.rope.freq_base"), 500000.0);
    const auto* types = f.find("tokenizer.ggml.token_type")->as_array();
    ASSERT_EQ(types->size(), 3u);
    EXPECT_EQ((*types)[1].as_int(), -2);
    EXPECT_FALSE((*types)[1].as_uint().has_value());
    ASSERT_EQ(f.tensors.size(), 2u);
    EXPECT_EQ(f.tensors[0].offset, f.data_offset);
    EXPECT_EQ(f.tensors[1].offset, f.data_offset + 64);
    EXPECT_EQ(f.tensors[1].nbytes, 34u);
    EXPECT_EQ(f.tensors[0].elements(), 16u);
    // The tensor's bytes really are at the offset the reader reports.
    EXPECT_EQ(bytes[f.tensors[1].offset], 5);
    EXPECT_EQ(bytes[f.tensors[0].offset + 3], f32_bytes(16)[3]);
}

TEST(GgufReader, AcceptsVersion2)
{
    test::TempDir dir;
    const auto f = model::read_gguf(dir.write("v2.gguf", GgufBuilder().version(2).kv_u32("x", 1).build()));
    EXPECT_EQ(f.version, 2u);
    EXPECT_EQ(f.get_uint("x"), 1u);
}

TEST(GgufReader, WrongTypedLookupNamesKeyAndFile)
{
    test::TempDir dir;
    const auto path = dir.write("k.gguf", GgufBuilder().kv_string("llama.block_count", "five").build());
    const auto f = model::read_gguf(path);
    try {
        (void)f.get_uint("llama.block_count");
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("llama.block_count"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
    }
}

TEST(GgufReader, SniffsMagic)
{
    test::TempDir dir;
    EXPECT_TRUE(model::looks_like_gguf(test::bundled_model()));
    const std::vector<std::uint8_t> junk{'{', '}', '\n'};
    EXPECT_FALSE(model::looks_like_gguf(dir.write("j.json", junk)));
    EXPECT_FALSE(model::looks_like_gguf(dir.path() / "missing.gguf"));
}
