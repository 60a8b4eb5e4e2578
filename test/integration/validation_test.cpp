// The architecture checks a model's tensors before reading any weight: missing tensors,
// wrong shapes and types without kernels are one-line FormatErrors naming file and tensor.
#include "edge_rt/error.hpp"
#include "gguf_builder.hpp"
#include "runtime/conversation.hpp"
#include "temp_dir.hpp"

#include <functional>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;
using ::testing::HasSubstr;

namespace {

constexpr std::uint32_t E = 32, KV = 16, F = 64, V = 8;

struct TensorDef {
    std::string name;
    std::vector<std::uint64_t> shape;
    std::uint32_t type = 0;
};

std::vector<TensorDef> tiny_llama()
{
    std::vector<TensorDef> t{{"token_embd.weight", {E, V}}, {"output_norm.weight", {E}}};
    for (const auto& [n, s] : std::vector<std::pair<const char*, std::vector<std::uint64_t>>>{
             {"attn_norm", {E}}, {"attn_q", {E, E}}, {"attn_k", {E, KV}}, {"attn_v", {E, KV}},
             {"attn_output", {E, E}}, {"ffn_norm", {E}}, {"ffn_gate", {E, F}}, {"ffn_up", {E, F}},
             {"ffn_down", {F, E}}})
        t.push_back({std::string("blk.0.") + n + ".weight", s});
    return t;
}

// Bytes of `elements` values of the GGML type ids used here (F32, F16, Q8_0, IQ2_XXS).
std::size_t bytes_for(std::uint32_t type, std::uint64_t elements)
{
    switch (type) {
    case 0: return elements * 4;
    case 1: return elements * 2;
    case 8: return elements / 32 * 34;
    case 16: return elements / 256 * 66;
    }
    return 0;
}

std::filesystem::path write_llama(const TempDir& dir, const std::vector<TensorDef>& tensors)
{
    GgufBuilder b;
    b.kv_string("general.architecture", "llama")
        .kv_u32("llama.embedding_length", E)
        .kv_u32("llama.block_count", 1)
        .kv_u32("llama.attention.head_count", 4)
        .kv_u32("llama.attention.head_count_kv", 2)
        .kv_u32("llama.feed_forward_length", F)
        .kv_u32("llama.context_length", 16);
    for (const auto& t : tensors) {
        std::uint64_t n = 1;
        for (auto d : t.shape)
            n *= d;
        // Small non-zero values: every 4-byte group is the float 2^-10 (or harmless Q bytes).
        std::vector<std::uint8_t> data(bytes_for(t.type, n));
        for (std::size_t i = 0; i + 3 < data.size(); i += 4)
            data[i + 3] = 0x3a, data[i + 2] = 0x80;
        b.tensor(t.name, t.shape, t.type, std::move(data));
    }
    return dir.write("tiny.gguf", b.build());
}

std::string load_error(const std::filesystem::path& path)
{
    try {
        runtime::Engine engine(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST(Validation, TinyLlamaWithMixedTypesLoadsAndRuns)
{
    TempDir dir;
    auto t = tiny_llama();
    t[3].type = 8; // attn_q as Q8_0
    t[4].type = 1; // attn_k as F16
    runtime::Engine engine(write_llama(dir, t));
    EXPECT_TRUE(engine.config().tied_output);
    runtime::Conversation session(engine);
    const auto logits = session.forward(std::vector<std::int32_t>{1, 2, 3});
    EXPECT_EQ(logits.size(), V);
    // Fully resident: everything planned was read at load; each group's tensors are read
    // through 4096-aligned windows, the tied token_embd once for the embedding and once for
    // the output group.
    ASSERT_TRUE(engine.plan().fully_resident());
    EXPECT_LE(engine.load_bytes_read(), engine.plan().resident_bytes); // bytes past EOF are zero-filled
    const auto& tensors = engine.source().tensors;
    EXPECT_GE(engine.load_bytes_read(), tensors.total_bytes() + tensors.require("token_embd.weight").nbytes);
    EXPECT_LE(engine.load_bytes_read(),
              tensors.total_bytes() + tensors.require("token_embd.weight").nbytes + 2 * 4096 * (tensors.tensors.size() + 1));
}

TEST(Validation, MissingTensor)
{
    TempDir dir;
    auto t = tiny_llama();
    t.erase(t.begin() + 9); // blk.0.ffn_up.weight
    const auto path = write_llama(dir, t);
    const auto msg = load_error(path);
    EXPECT_THAT(msg, HasSubstr(path.string() + ": missing tensor blk.0.ffn_up.weight"));
}

TEST(Validation, WrongShape)
{
    TempDir dir;
    auto t = tiny_llama();
    t[4].shape = {E, E}; // attn_k has n_head_kv * head_dim = 16 rows
    const auto path = write_llama(dir, t);
    EXPECT_THAT(load_error(path),
                HasSubstr(path.string() + ": tensor blk.0.attn_k.weight has shape [32, 32] expected [32, 16]"));
}

TEST(Validation, TypeWithoutKernels)
{
    TempDir dir;
    auto t = tiny_llama();
    t[6] = {"blk.0.attn_output.weight", {256, 4}, 16}; // IQ2_XXS: whole blocks, but no kernels
    const auto path = write_llama(dir, t);
    EXPECT_THAT(load_error(path),
                HasSubstr(path.string() + ": unsupported tensor type IQ2_XXS in tensor blk.0.attn_output.weight"));
}

TEST(Validation, OddRopeDimensionsAreRejected)
{
    TempDir dir;
    GgufBuilder b;
    b.kv_string("general.architecture", "llama")
        .kv_u32("llama.embedding_length", E)
        .kv_u32("llama.block_count", 1)
        .kv_u32("llama.attention.head_count", 4)
        .kv_u32("llama.feed_forward_length", F)
        .kv_u32("llama.context_length", 16)
        .kv_u32("llama.rope.dimension_count", 7)
        .kv_u32("llama.vocab_size", V);
    EXPECT_THAT(load_error(dir.write("rope.gguf", b.build())), HasSubstr("RoPE dimension count 7"));
}
