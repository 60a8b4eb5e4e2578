// Synthetic models: the presets have the published sizes, every type and format loads through
// open_model + Engine and computes, the weights have the intended statistics, the same seed
// gives the same bytes, and greedy generation does not collapse onto one token.
#include "edge_rt/error.hpp"
#include "env.hpp"
#include "model/gguf.hpp"
#include "model/model_source.hpp"
#include "tokenizer/tokenizer.hpp"
#include "writer/synthetic_model.hpp"
#include "runtime/generate.hpp"
#include "temp_dir.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

using namespace edge_rt;
using namespace edge_rt::model;
using namespace edge_rt::test;

namespace {

std::uint64_t parameter_count(const SyntheticPlan& p)
{
    std::uint64_t total = 0;
    for (const auto& t : p.tensors) {
        std::uint64_t n = 1;
        for (const auto d : t.shape)
            n *= d;
        total += n;
    }
    return total;
}

ModelConfig small_config(Arch arch)
{
    ModelConfig c;
    c.arch = arch;
    c.arch_name = arch == Arch::Llama ? "llama" : "gpt2";
    c.name = "small";
    c.n_embd = 64;
    c.n_layer = 2;
    c.n_head = 4;
    c.n_head_kv = arch == Arch::Llama ? 2 : 4;
    c.n_ff = arch == Arch::Llama ? 176 : 256; // 176: ffn_down rows are not whole blocks
    c.n_vocab = 320;
    c.n_ctx_train = 64;
    c.n_rot = 16;
    c.tied_output = arch == Arch::Gpt2;
    return c;
}

SyntheticOptions small_options(Arch arch, DType type, FileFormat format, const std::filesystem::path& out)
{
    SyntheticOptions o;
    o.preset = "small";
    o.custom = small_config(arch);
    o.weight_type = type;
    o.format = format;
    o.seed = 7;
    o.output = out;
    return o;
}

std::vector<float> last_logits(const std::filesystem::path& path, const std::vector<std::int32_t>& ids)
{
    runtime::Engine engine(path);
    runtime::Conversation session(engine);
    const auto logits = session.forward(ids);
    return {logits.begin(), logits.end()};
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b)
{
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
    return m;
}

const std::vector<std::int32_t> kPrompt{1, 17, 200, 5, 99};

} // namespace

// Parameter counts as published for the real models (GPT-2's output is the tied embedding).
TEST(SyntheticModel, PresetsHaveThePublishedSizes)
{
    const std::pair<const char*, std::uint64_t> sizes[] = {
        {"tinyllama-1.1b", 1'100'048'384}, {"llama-7b", 6'738'415'616},
        {"gpt2-small", 124'439'808},       {"gpt2-medium", 354'823'168}};
    for (const auto& [name, params] : sizes) {
        SyntheticOptions o;
        o.preset = name;
        o.vocab_size = name[0] == 'g' ? 50257 : 32000;
        EXPECT_EQ(parameter_count(plan_synthetic_model(o)), params) << name;
    }
    SyntheticOptions o;
    o.preset = "stories110m";
    const auto c = plan_synthetic_model(o).config;
    EXPECT_EQ(std::tie(c.n_embd, c.n_layer, c.n_head, c.n_ff, c.n_vocab, c.n_ctx_train),
              std::make_tuple(768u, 12u, 12u, 2048u, 32000u, 1024u));
    o.preset = "stories15m";
    o.layers = 2;
    const auto s = plan_synthetic_model(o).config;
    EXPECT_EQ(std::tie(s.n_embd, s.n_layer, s.n_head, s.n_ff, s.n_ctx_train),
              std::make_tuple(288u, 2u, 6u, 768u, 256u));
}

TEST(SyntheticModel, BadRequestsAreConfigErrors)
{
    SyntheticOptions o;
    o.preset = "llama-3b";
    EXPECT_THROW(plan_synthetic_model(o), ConfigError);
    o.preset = "stories15m";
    o.layers = 0;
    EXPECT_THROW(plan_synthetic_model(o), ConfigError);
    o.layers = 7;
    EXPECT_THROW(plan_synthetic_model(o), ConfigError);
    o.layers.reset();
    o.format = FileFormat::Safetensors;
    o.weight_type = DType::Q8_0;
    EXPECT_THROW(plan_synthetic_model(o), ConfigError);
    EXPECT_THROW(parse_weight_type("q7_k"), ConfigError);
    EXPECT_THROW(parse_file_format("onnx"), ConfigError);
}

struct TypeCase {
    Arch arch;
    DType type;
    FileFormat format;
};

class EveryTypeAndFormat : public ::testing::TestWithParam<TypeCase> {};

// Each file loads and computes logits close to the F32 GGUF of the same seed (the same values
// rounded to the type): F16/BF16/Q8_0 closely, Q4_0 loosely.
TEST_P(EveryTypeAndFormat, LoadsAndComputesCloseToF32)
{
    const auto c = GetParam();
    TempDir dir;
    const auto ref_path = dir.path() / "ref.gguf";
    write_synthetic_model(small_options(c.arch, DType::F32, FileFormat::Gguf, ref_path));
    const auto path = dir.path() / (c.format == FileFormat::Gguf ? "m.gguf" : "m");
    write_synthetic_model(small_options(c.arch, c.type, c.format, path));
    const auto src = open_model(path);
    EXPECT_EQ(src.config.n_layer, 2u);
    const auto ref = last_logits(ref_path, kPrompt);
    const auto got = last_logits(path, kPrompt);
    ASSERT_EQ(got.size(), 320u);
    const auto [lo, hi] = std::minmax_element(ref.begin(), ref.end());
    const double range = *hi - *lo;
    EXPECT_GT(range, 1.0) << "logits should be spread, not flat";
    const double tolerance = c.type == DType::F32 ? 1e-4 : c.type == DType::Q4_0 ? 0.25 * range : 0.05 * range;
    const bool llama_hf = c.arch == Arch::Llama && c.format == FileFormat::Safetensors;
    if (llama_hf) // HF Llama rotates head halves: same weights, a different (equally valid) model
        EXPECT_GT(max_abs_diff(ref, got), 0.0);
    else
        EXPECT_LE(max_abs_diff(ref, got), tolerance);
    for (const float v : got)
        ASSERT_TRUE(std::isfinite(v));
}

INSTANTIATE_TEST_SUITE_P(
    Writer, EveryTypeAndFormat,
    ::testing::Values(TypeCase{Arch::Llama, DType::F16, FileFormat::Gguf}, TypeCase{Arch::Llama, DType::BF16, FileFormat::Gguf},
                      TypeCase{Arch::Llama, DType::Q8_0, FileFormat::Gguf}, TypeCase{Arch::Llama, DType::Q4_0, FileFormat::Gguf},
                      TypeCase{Arch::Llama, DType::F32, FileFormat::Safetensors},
                      TypeCase{Arch::Llama, DType::BF16, FileFormat::Safetensors},
                      TypeCase{Arch::Gpt2, DType::F16, FileFormat::Gguf}, TypeCase{Arch::Gpt2, DType::Q8_0, FileFormat::Gguf},
                      TypeCase{Arch::Gpt2, DType::Q4_0, FileFormat::Gguf},
                      TypeCase{Arch::Gpt2, DType::F32, FileFormat::Safetensors},
                      TypeCase{Arch::Gpt2, DType::F16, FileFormat::Safetensors}));

TEST(SyntheticModel, QuantisedFilesKeepVectorsAndOddRowsF32)
{
    TempDir dir;
    const auto path = dir.path() / "q.gguf";
    write_synthetic_model(small_options(Arch::Llama, DType::Q4_0, FileFormat::Gguf, path));
    const auto f = read_gguf(path);
    EXPECT_EQ(f.find_tensor("blk.0.attn_q.weight")->type, 2u);
    EXPECT_EQ(f.find_tensor("blk.0.ffn_down.weight")->type, 0u) << "rows of 176 are not whole blocks";
    EXPECT_EQ(f.find_tensor("blk.0.attn_norm.weight")->type, 0u);
    EXPECT_EQ(f.get_uint("general.file_type"), 2u);
}

// Matrices ~ 1/sqrt(fan_in) standard deviation, norm gains around 1.
TEST(SyntheticModel, WeightsHaveTheIntendedScale)
{
    TempDir dir;
    const auto path = dir.path() / "f.gguf";
    write_synthetic_model(small_options(Arch::Llama, DType::F32, FileFormat::Gguf, path));
    const auto f = read_gguf(path);
    const auto bytes = read_file(path);
    const auto stats = [&](const char* name) {
        const auto* t = f.find_tensor(name);
        std::vector<float> v(t->nbytes / 4);
        std::memcpy(v.data(), bytes.data() + t->offset, t->nbytes);
        double sum = 0, sq = 0;
        for (const float x : v)
            sum += x;
        const double mean = sum / static_cast<double>(v.size());
        for (const float x : v)
            sq += (x - mean) * (x - mean);
        return std::pair{mean, std::sqrt(sq / static_cast<double>(v.size()))};
    };
    const auto [qm, qs] = stats("blk.1.ffn_up.weight"); // 64 x 176
    EXPECT_NEAR(qm, 0.0, 0.01);
    EXPECT_NEAR(qs, 1.0 / 8.0, 0.005);
    // The projections into the residual stream: 1/sqrt(fan_in) times 3 (feed-forward) or 0.1
    // (attention), over sqrt(2 * n_layer) = 2; the token embedding has a fixed 0.05.
    const auto [dm, ds] = stats("blk.1.ffn_down.weight"); // fan-in 176
    EXPECT_NEAR(ds, 3.0 / std::sqrt(176.0) / 2.0, 0.005);
    const auto [om, os] = stats("blk.0.attn_output.weight"); // fan-in 64
    EXPECT_NEAR(os, 0.1 / 8.0 / 2.0, 0.0005);
    const auto [em, es] = stats("token_embd.weight");
    EXPECT_NEAR(em, 0.0, 0.005);
    EXPECT_NEAR(es, 0.05, 0.002);
    const auto [nm, ns] = stats("output_norm.weight");
    EXPECT_NEAR(nm, 1.0, 0.05);
    EXPECT_NEAR(ns, 0.1, 0.03);
}

TEST(SyntheticModel, SameSeedSameBytesOtherSeedOtherBytes)
{
    TempDir dir;
    auto o = small_options(Arch::Gpt2, DType::Q8_0, FileFormat::Gguf, dir.path() / "a.gguf");
    write_synthetic_model(o);
    o.output = dir.path() / "b.gguf";
    write_synthetic_model(o);
    o.output = dir.path() / "c.gguf";
    o.seed = 8;
    write_synthetic_model(o);
    const auto a = read_file(dir.path() / "a.gguf"), b = read_file(dir.path() / "b.gguf"),
               c = read_file(dir.path() / "c.gguf");
    EXPECT_EQ(a, b);
    ASSERT_EQ(a.size(), c.size());
    EXPECT_NE(a, c);
}

namespace {

// 32 greedy tokens (no stop at EOS) from `o`'s model, prompted with BOS and two ids.
std::vector<std::int32_t> greedy_ids(const SyntheticOptions& o)
{
    write_synthetic_model(o);
    runtime::Engine engine(o.output);
    runtime::Conversation session(engine);
    runtime::GenerateOptions g;
    g.max_tokens = 32;
    g.sampler.temperature = 0.0f;
    const std::vector<std::int32_t> prompt{1, 300, 301};
    return runtime::generate(session, prompt, g).generated;
}

} // namespace

// ~32 greedy tokens from a real preset (cut to 1 layer, vocabulary shrunk) are not one id.
TEST(SyntheticModel, GreedyGenerationIsNotDegenerate)
{
    for (const char* preset : {"stories15m", "gpt2-small"}) {
        TempDir dir;
        SyntheticOptions o;
        o.preset = preset;
        o.layers = 1;
        o.vocab_size = 512;
        o.output = dir.path() / "m.gguf";
        const auto out = greedy_ids(o);
        ASSERT_EQ(out.size(), 32u) << preset;
        const std::set<std::int32_t> distinct(out.begin(), out.end());
        EXPECT_GE(distinct.size(), 4u) << preset;
    }
}

// Depth was what made generation degenerate (the residual stream forgot the current token):
// narrow models as deep as gpt2-medium (24 layers) must still produce varied ids.
TEST(SyntheticModel, DeepNarrowModelsDoNotRepeatOneId)
{
    for (const Arch arch : {Arch::Llama, Arch::Gpt2}) {
        TempDir dir;
        auto o = small_options(arch, DType::Q8_0, FileFormat::Gguf, dir.path() / "deep.gguf");
        o.custom->n_layer = 24;
        o.custom->n_vocab = 512;
        o.custom->n_ff = 256;
        const auto out = greedy_ids(o);
        ASSERT_EQ(out.size(), 32u);
        const std::set<std::int32_t> distinct(out.begin(), out.end());
        EXPECT_GE(distinct.size(), 12u) << (arch == Arch::Llama ? "llama" : "gpt2");
    }
}

TEST(SyntheticModel, MadeUpVocabularyEncodesAnyText)
{
    for (const Arch arch : {Arch::Llama, Arch::Gpt2}) {
        TempDir dir;
        const auto path = dir.path() / "v.gguf";
        write_synthetic_model(small_options(arch, DType::F32, FileFormat::Gguf, path));
        const auto tok = tokenizer_from_gguf(read_gguf(path));
        EXPECT_EQ(tok->vocab_size(), 320u);
        const std::string text = "Once upon a time, ünïcode \x01!";
        EXPECT_EQ(decode(*tok, tok->encode(text, tok->add_bos_by_default())), text); // BOS drops the space prefix
    }
}

TEST(SyntheticModel, VocabularyFromAGgufIsCopied)
{
    TempDir dir;
    auto o = small_options(Arch::Llama, DType::F32, FileFormat::Gguf, dir.path() / "v.gguf");
    o.vocab_from = bundled_model();
    write_synthetic_model(o);
    const auto src = read_gguf(bundled_model()), out = read_gguf(o.output);
    std::size_t copied = 0;
    for (const auto& [key, value] : src.metadata) {
        if (!key.starts_with("tokenizer."))
            continue;
        ++copied;
        ASSERT_NE(out.find(key), nullptr) << key;
        EXPECT_EQ(out.find(key)->type, value.type) << key;
        if (const auto* arr = value.as_array()) {
            EXPECT_EQ(out.find(key)->as_array()->size(), arr->size()) << key;
        }
    }
    EXPECT_GE(copied, 4u);
    const auto a = tokenizer_from_gguf(src), b = tokenizer_from_gguf(out);
    EXPECT_EQ(open_model(o.output).config.n_vocab, a->vocab_size());
    EXPECT_EQ(a->encode("Lily went to the park.", true), b->encode("Lily went to the park.", true));
}

TEST(SyntheticModel, VocabularyFromGpt2FilesEncodesLikeTheReference)
{
    TempDir dir;
    const auto tok_dir = std::filesystem::path(required_env("EDGE_RT_TEST_DATA")) / "gpt2-tokenizer";
    auto o = small_options(Arch::Gpt2, DType::Q8_0, FileFormat::Gguf, dir.path() / "v.gguf");
    o.vocab_from = tok_dir;
    write_synthetic_model(o);
    const auto f = read_gguf(o.output);
    EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "gpt2");
    const auto tok = tokenizer_from_gguf(f);
    EXPECT_EQ(tok->vocab_size(), 50257u);
    std::ifstream in(tok_dir / "reference.json");
    const auto ref = nlohmann::json::parse(in);
    for (const auto& c : ref)
        EXPECT_EQ(tok->encode(c["text"].get<std::string>(), false), c["ids"].get<std::vector<std::int32_t>>())
            << c["text"];

    // SafeTensors: the files are copied beside the weights and found there.
    auto s = small_options(Arch::Gpt2, DType::F32, FileFormat::Safetensors, dir.path() / "st");
    s.vocab_from = tok_dir / "vocab.bpe";
    write_synthetic_model(s);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "st" / "encoder.json"));
    EXPECT_EQ(load_tokenizer(dir.path() / "st")->encode("Hello world", false), (std::vector<std::int32_t>{15496, 995}));
    EXPECT_EQ(open_model(dir.path() / "st").config.n_vocab, 50257u);
}

TEST(SyntheticModel, FailedWriteLeavesNothingBehind)
{
    TempDir dir;
    auto o = small_options(Arch::Llama, DType::F32, FileFormat::Gguf, dir.path() / "m.gguf");
    o.vocab_from = dir.path() / "no-such-tokenizer";
    EXPECT_THROW(write_synthetic_model(o), IoError);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// gen-model's K-quant types on a Llama 256 wide (rows of whole 256-value blocks; ffn_down's
// rows of 320 are not, and stay F32): the files load and give logits close to the F32 file of
// the same seed, Q6_K as closely as Q8_0 is held above, Q4_K as loosely as Q4_0.
TEST(SyntheticModel, KQuantFilesLoadAndComputeCloseToF32)
{
    TempDir dir;
    const auto options = [&](DType t, const char* name) {
        auto o = small_options(Arch::Llama, t, FileFormat::Gguf, dir.path() / name);
        o.custom->n_embd = 256;
        o.custom->n_ff = 320;
        o.custom->n_rot = 64;
        return o;
    };
    write_synthetic_model(options(DType::F32, "f32.gguf"));
    const auto ref = last_logits(dir.path() / "f32.gguf", kPrompt);
    const auto [lo, hi] = std::minmax_element(ref.begin(), ref.end());
    const double range = *hi - *lo;
    for (const auto& [type, id, tolerance] : {std::tuple{DType::Q6_K, 14u, 0.05}, std::tuple{DType::Q4_K, 12u, 0.25}}) {
        const char* name = type == DType::Q6_K ? "q6.gguf" : "q4.gguf";
        write_synthetic_model(options(type, name));
        const auto f = read_gguf(dir.path() / name);
        EXPECT_EQ(f.find_tensor("blk.0.attn_q.weight")->type, id);
        EXPECT_EQ(f.find_tensor("blk.0.ffn_down.weight")->type, 0u) << "rows of 320 are not whole 256-value blocks";
        const auto got = last_logits(dir.path() / name, kPrompt);
        const double diff = max_abs_diff(ref, got);
        EXPECT_LE(diff, tolerance * range) << name;
        EXPECT_GT(diff, 0.0) << name << ": quantised weights should not be exact";
    }
    EXPECT_EQ(parse_weight_type("q4_k"), DType::Q4_K);
    EXPECT_EQ(parse_weight_type("q6_k"), DType::Q6_K);
}

// The other types quantize writes, as gen-model types: each file loads and its logits stay
// within a tolerance that doubles with every bit the format gives up (Q6_K's 0.05 of the range
// above at 6 bits: 5 bits 0.1, 4 bits 0.25 as Q4_K above, 3 bits 0.5, 2 bits 1.0). ffn_down's
// rows of 320 are whole 32-value blocks, so the 32-value formats quantise it too.
TEST(SyntheticModel, EveryQuantizeTypeLoadsAndComputesCloseToF32)
{
    TempDir dir;
    const auto options = [&](DType t, const std::string& name) {
        auto o = small_options(Arch::Llama, t, FileFormat::Gguf, dir.path() / name);
        o.custom->n_embd = 256;
        o.custom->n_ff = 320;
        o.custom->n_rot = 64;
        return o;
    };
    write_synthetic_model(options(DType::F32, "f32.gguf"));
    const auto ref = last_logits(dir.path() / "f32.gguf", kPrompt);
    const auto [lo, hi] = std::minmax_element(ref.begin(), ref.end());
    const double range = *hi - *lo;
    const std::tuple<const char*, DType, double, bool> cases[] = {
        {"q5_k", DType::Q5_K, 0.1, false},  {"q3_k", DType::Q3_K, 0.5, false}, {"q2_k", DType::Q2_K, 1.0, false},
        {"q5_0", DType::Q5_0, 0.1, true},   {"q5_1", DType::Q5_1, 0.1, true},  {"q4_1", DType::Q4_1, 0.25, true},
        {"iq4_nl", DType::IQ4_NL, 0.25, true}};
    for (const auto& [name, type, tolerance, blocks_of_32] : cases) {
        EXPECT_EQ(parse_weight_type(name), type);
        const std::string file = std::string(name) + ".gguf";
        write_synthetic_model(options(type, file));
        const auto f = read_gguf(dir.path() / file);
        EXPECT_EQ(f.find_tensor("blk.0.attn_q.weight")->type, static_cast<std::uint32_t>(type)) << name;
        EXPECT_EQ(f.find_tensor("blk.0.ffn_down.weight")->type, blocks_of_32 ? static_cast<std::uint32_t>(type) : 0u) << name;
        const auto got = last_logits(dir.path() / file, kPrompt);
        const double diff = max_abs_diff(ref, got);
        std::printf("%s: max |logit - F32| = %.4f of a range of %.3f\n", name, diff, range);
        EXPECT_LE(diff, tolerance * range) << name;
        EXPECT_GT(diff, 0.0) << name << ": quantised weights should not be exact";
    }
}
