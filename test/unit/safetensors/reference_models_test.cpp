// The two GPT-2 reference folders (test/data/gpt2-tiny-random-f32, -f16; see
// /work/shared/models/README.md) open into GGUF-named tensor tables whose offsets point at
// the right bytes.
#include "core/dtype.hpp"
#include "io/file.hpp"
#include "model/model_source.hpp"
#include "st_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace edge_rt;

namespace {

struct Reference {
    const char* folder;
    DType dtype;
    std::uint32_t elem_bytes;
};

void PrintTo(const Reference& r, std::ostream* os) { *os << r.folder; }

class Gpt2Reference : public ::testing::TestWithParam<Reference> {};

// GGUF names of a 2-layer GPT-2, written out by hand from the naming rules.
std::set<std::string> expected_gguf_names()
{
    std::set<std::string> names{"token_embd.weight", "position_embd.weight", "output_norm.weight",
                                "output_norm.bias"};
    for (const char* l : {"blk.0.", "blk.1."})
        for (const char* t : {"attn_norm", "attn_qkv", "attn_output", "ffn_norm", "ffn_up", "ffn_down"})
            for (const char* p : {".weight", ".bias"})
                names.insert(std::string(l) + t + p);
    return names;
}

std::vector<std::uint8_t> read_bytes(const std::string& path, std::uint64_t offset, std::size_t n)
{
    std::vector<std::uint8_t> out(n);
    io::File(path).read_exact(offset, std::as_writable_bytes(std::span(out)));
    return out;
}

// The test's own reading of the file's header: HF name -> absolute offset and size.
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> independent_ranges(const std::filesystem::path& file)
{
    const auto raw = test::read_file(file);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = n * 256 + raw[static_cast<std::size_t>(i)];
    const auto header = nlohmann::json::parse(raw.begin() + 8, raw.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& [name, entry] : header.items())
        if (name != "__metadata__") {
            const auto b = entry["data_offsets"][0].get<std::uint64_t>();
            const auto e = entry["data_offsets"][1].get<std::uint64_t>();
            out[name] = {8 + n + b, e - b};
        }
    return out;
}

std::string gguf_name_of(const std::string& hf)
{
    static const std::vector<std::pair<std::string, std::string>> parts{
        {"ln_1", "attn_norm"}, {"attn.c_attn", "attn_qkv"}, {"attn.c_proj", "attn_output"},
        {"ln_2", "ffn_norm"},  {"mlp.c_fc", "ffn_up"},      {"mlp.c_proj", "ffn_down"}};
    if (hf == "wte.weight")
        return "token_embd.weight";
    if (hf == "wpe.weight")
        return "position_embd.weight";
    if (hf.starts_with("ln_f."))
        return "output_norm." + hf.substr(5);
    const auto layer = hf.substr(2, 1); // "h.N." with N < 10 in these files
    for (const auto& [from, to] : parts)
        if (hf.substr(4).starts_with(from + "."))
            return "blk." + layer + "." + to + hf.substr(4 + from.size());
    return "?" + hf;
}

} // namespace

TEST_P(Gpt2Reference, ConfigMatchesTheFolder)
{
    const auto m = model::open_model(test::test_data(GetParam().folder));
    EXPECT_EQ(m.format, model::FileFormat::Safetensors);
    const auto& c = m.config;
    EXPECT_EQ(c.arch, model::Arch::Gpt2);
    EXPECT_EQ(c.arch_name, "gpt2");
    EXPECT_EQ(c.name, GetParam().folder);
    EXPECT_EQ(c.n_layer, 2u);
    EXPECT_EQ(c.n_embd, 64u);
    EXPECT_EQ(c.n_head, 4u);
    EXPECT_EQ(c.n_head_kv, 4u);
    EXPECT_EQ(c.n_vocab, 512u);
    EXPECT_EQ(c.n_ctx_train, 128u);
    EXPECT_EQ(c.n_ff, 256u); // n_inner null: 4 * n_embd
    EXPECT_EQ(c.head_dim(), 16u);
    EXPECT_FLOAT_EQ(c.norm_eps, 1e-5f);
    EXPECT_TRUE(c.tied_output);
}

TEST_P(Gpt2Reference, TensorTableInGgufNaming)
{
    const auto dir = test::test_data(GetParam().folder);
    const auto m = model::open_model(dir);
    ASSERT_EQ(m.tensors.files.size(), 1u);
    EXPECT_EQ(m.tensors.files[0], (dir / "model.safetensors").string());
    std::set<std::string> names;
    std::uint64_t weight_bytes = 0;
    for (const auto& t : m.tensors.tensors) {
        SCOPED_TRACE(t.name);
        names.insert(t.name);
        EXPECT_EQ(t.file, 0u);
        EXPECT_EQ(t.dtype, static_cast<std::uint32_t>(GetParam().dtype));
        EXPECT_EQ(t.nbytes, t.elements() * GetParam().elem_bytes);
        weight_bytes += t.nbytes;
        // Exactly the Conv1D weights are stored transposed.
        const bool conv1d = t.name.ends_with("attn_qkv.weight") || t.name.ends_with("attn_output.weight") ||
                            t.name.ends_with("ffn_up.weight") || t.name.ends_with("ffn_down.weight");
        EXPECT_EQ(t.transposed, conv1d);
    }
    EXPECT_EQ(names, expected_gguf_names());
    EXPECT_EQ(m.tensors.tensors.size(), 28u);
    // Elements: 2 layers × 49984 + wpe 8192 + wte 32768 + ln_f 128.
    EXPECT_EQ(weight_bytes, 141056u * GetParam().elem_bytes);
    using Shape = std::vector<std::uint64_t>;
    EXPECT_EQ(m.tensors.require("token_embd.weight").shape, (Shape{64, 512}));
    EXPECT_EQ(m.tensors.require("position_embd.weight").shape, (Shape{64, 128}));
    EXPECT_EQ(m.tensors.require("blk.0.attn_qkv.weight").shape, (Shape{64, 192}));
    EXPECT_EQ(m.tensors.require("blk.0.attn_qkv.bias").shape, (Shape{192}));
    EXPECT_EQ(m.tensors.require("blk.1.attn_output.weight").shape, (Shape{64, 64}));
    EXPECT_EQ(m.tensors.require("blk.1.ffn_up.weight").shape, (Shape{64, 256}));
    EXPECT_EQ(m.tensors.require("blk.1.ffn_down.weight").shape, (Shape{256, 64}));
    EXPECT_EQ(m.tensors.require("blk.1.ffn_down.weight").rows(), 64u);
    EXPECT_EQ(m.tensors.require("output_norm.bias").shape, (Shape{64}));
    EXPECT_EQ(m.tensors.find("output.weight"), nullptr);
}

TEST_P(Gpt2Reference, OffsetsAgreeWithAnIndependentReadingOfTheHeader)
{
    const auto dir = test::test_data(GetParam().folder);
    const auto m = model::open_model(dir);
    const auto ranges = independent_ranges(dir / "model.safetensors");
    ASSERT_EQ(ranges.size(), m.tensors.tensors.size());
    for (const auto& [hf, range] : ranges) {
        SCOPED_TRACE(hf);
        const auto* t = m.tensors.find(gguf_name_of(hf));
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->offset, range.first);
        EXPECT_EQ(t->nbytes, range.second);
    }
}

TEST_P(Gpt2Reference, OpensFromTheFolderTheWeightsFileOrTheConfig)
{
    const auto dir = test::test_data(GetParam().folder);
    const auto from_dir = model::open_model(dir);
    for (const auto& p : {dir / "model.safetensors", dir / "config.json"}) {
        SCOPED_TRACE(p);
        const auto m = model::open_model(p);
        EXPECT_EQ(m.format, model::FileFormat::Safetensors);
        ASSERT_EQ(m.tensors.tensors.size(), from_dir.tensors.tensors.size());
        for (std::size_t i = 0; i < m.tensors.tensors.size(); ++i) {
            EXPECT_EQ(m.tensors.tensors[i].name, from_dir.tensors.tensors[i].name);
            EXPECT_EQ(m.tensors.tensors[i].offset, from_dir.tensors.tensors[i].offset);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Folders, Gpt2Reference,
                         ::testing::Values(Reference{"gpt2-tiny-random-f32", DType::F32, 4},
                                           Reference{"gpt2-tiny-random-f16", DType::F16, 2}),
                         [](const auto& p) { return p.param.dtype == DType::F32 ? "F32" : "F16"; });

// Offsets and leading bytes computed with Python's json and struct modules from the files.
TEST(Gpt2ReferenceBytes, KnownTensorsStartWithTheirKnownValues)
{
    struct Known {
        const char* folder;
        const char* tensor;
        std::uint64_t offset;
        std::uint64_t nbytes;
        std::vector<std::uint8_t> first8;
    };
    const std::vector<Known> known{
        // F32 ln_f.weight = 0.8485180139541626, 1.0039626359939575, …
        {"gpt2-tiny-random-f32", "output_norm.weight", 402424, 256, {0x7a, 0x38, 0x59, 0x3f, 0xd9, 0x81, 0x80, 0x3f}},
        {"gpt2-tiny-random-f32", "blk.1.ffn_down.weight", 336632, 65536, {0xac, 0x0d, 0x2f, 0x3e, 0x4a, 0x46, 0xc2, 0xbe}},
        {"gpt2-tiny-random-f32", "token_embd.weight", 435448, 131072, {0xcb, 0xa5, 0x5b, 0xbc, 0x7f, 0x15, 0x74, 0xbd}},
        // F16 ln_f.weight = 1.0263671875, 0.90869140625, 1.0244140625, 0.97705078125
        {"gpt2-tiny-random-f16", "output_norm.weight", 202352, 128, {0x1b, 0x3c, 0x45, 0x3b, 0x19, 0x3c, 0xd1, 0x3b}},
        {"gpt2-tiny-random-f16", "blk.1.ffn_down.weight", 169456, 32768, {0xea, 0xb0, 0x3a, 0x35, 0x0a, 0xb8, 0x32, 0xb2}},
        {"gpt2-tiny-random-f16", "token_embd.weight", 218864, 65536, {0x9a, 0x28, 0x13, 0xb5, 0x8e, 0x2d, 0x72, 0x2e}},
    };
    for (const auto& k : known) {
        SCOPED_TRACE(std::string(k.folder) + " " + k.tensor);
        const auto m = model::open_model(test::test_data(k.folder));
        const auto& t = m.tensors.require(k.tensor);
        EXPECT_EQ(t.offset, k.offset);
        EXPECT_EQ(t.nbytes, k.nbytes);
        EXPECT_EQ(read_bytes(m.tensors.files[t.file], t.offset, 8), k.first8);
    }
}
