// Hugging Face folders (config.json + SafeTensors) of model_type llama, qwen2 and phi, written
// here from the GGUF references of ../shared/models/arch, give the GGUF run's logits. The HF
// names and layouts are spelled by test/support/hf_folder.* (transformers' modeling files).
#include "arch_models.hpp"
#include "model/gguf.hpp"
#include "model/model_source.hpp"
#include "hf_folder.hpp"
#include "model_data.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <regex>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

void write_text(const TempDir& dir, const std::string& name, const std::string& text)
{
    dir.write(name, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::vector<HfTensor> without(std::vector<HfTensor> tensors, const std::string& name)
{
    std::erase_if(tensors, [&](const HfTensor& t) { return t.name == name; });
    return tensors;
}

const HfTensor& named(const std::vector<HfTensor>& tensors, const std::string& name)
{
    for (const auto& t : tensors)
        if (t.name == name)
            return t;
    throw std::runtime_error("no tensor " + name);
}

} // namespace

// Llama with Llama 3 rope scaling from config.json's rope_scaling (the GGUF has the factors as
// its rope_freqs tensor), untied head, q/k rows in HF's order.
TEST(HfArch, LlamaWithLlama3RopeScaling)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    const auto gguf = dir / "llama3rope-w256.gguf";
    const TempDir tmp;
    write_text(tmp, "config.json", R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "hidden_size": 256, "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 4,
        "intermediate_size": 768, "max_position_embeddings": 2048, "vocab_size": 512, "rms_norm_eps": 2.5e-06,
        "rope_theta": 500000.0, "hidden_act": "silu", "tie_word_embeddings": false,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 64}})");
    tmp.write("model.safetensors", safetensors_of(hf_tensors(gguf, "llama", 32)));
    const auto hf = model::open_model(tmp.path());
    const auto ref = model::open_model(gguf);
    EXPECT_FALSE(hf.config.tied_output);
    ASSERT_EQ(hf.config.rope_freq_factors.size(), ref.config.rope_freq_factors.size());
    for (std::size_t i = 0; i < ref.config.rope_freq_factors.size(); ++i)
        EXPECT_NEAR(hf.config.rope_freq_factors[i], ref.config.rope_freq_factors[i], 1e-6) << i;
    // q/k dimensions pair up in another order, so attention sums its products in another
    // order (and the factors were rounded to f32 from another computation): equal up to f32
    // rounding (1.7e-5 measured; each run is within 2e-5 of float64), and to float64 as
    // closely as the GGUF run.
    const auto want = teacher_forced_logits(gguf);
    const auto got = teacher_forced_logits(tmp.path());
    EXPECT_LE(max_abs_diff(got, want), 1e-4);
    EXPECT_LE(max_abs_diff(got, read_f32(dir / "llama3rope-w256.np.logits.f32")), 2e-4);
}

// The issue's failing case: tied embeddings stored only as lm_head.weight, with safetensors'
// {"model.embed_tokens.weight": "lm_head.weight"} alias (what save_model writes when it drops
// a shared tensor). Qwen2's GGUF is tied (no output.weight), so the logits are its own.
TEST(HfArch, TiedEmbeddingStoredOnlyAsLmHeadWithAMetadataAlias)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    const auto gguf = dir / "qwen2-w256.gguf";
    auto all = hf_tensors(gguf, "qwen2", 32);
    for (auto& t : all)
        if (t.name == "model.embed_tokens.weight")
            t.name = "lm_head.weight";
    const TempDir tmp;
    write_text(tmp, "config.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
        "hidden_size": 256, "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 4,
        "intermediate_size": 768, "max_position_embeddings": 2048, "vocab_size": 512, "rms_norm_eps": 2.5e-06,
        "tie_word_embeddings": true})");
    tmp.write("model.safetensors", safetensors_of(all, {{"model.embed_tokens.weight", "lm_head.weight"}}));
    const auto hf = model::open_model(tmp.path());
    EXPECT_TRUE(hf.config.tied_output);
    const auto want = teacher_forced_logits(gguf);
    EXPECT_EQ(max_abs_diff(teacher_forced_logits(tmp.path()), want), 0.0);
}

// Qwen2 in two shards with an index, tied embeddings saved once as the embedding (no lm_head):
// the same bytes in the same order as the GGUF, so the same logits bit for bit.
TEST(HfArch, Qwen2ShardedWithoutLmHead)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    const auto gguf = dir / "qwen2-w256.gguf";
    auto all = hf_tensors(gguf, "qwen2", 32);
    ASSERT_FALSE(std::any_of(all.begin(), all.end(), [](const auto& t) { return t.name == "lm_head.weight"; }));
    const TempDir tmp;
    write_text(tmp, "config.json", R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
        "hidden_size": 256, "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 4,
        "intermediate_size": 768, "max_position_embeddings": 2048, "vocab_size": 512, "rms_norm_eps": 2.5e-06,
        "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": true, "use_sliding_window": false,
        "rope_scaling": null})");
    const std::size_t half = all.size() / 2;
    const std::vector<HfTensor> first(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(half));
    const std::vector<HfTensor> second(all.begin() + static_cast<std::ptrdiff_t>(half), all.end());
    const char* shard[] = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    tmp.write(shard[0], safetensors_of(first));
    tmp.write(shard[1], safetensors_of(second));
    std::string index = R"({"metadata": {}, "weight_map": {)";
    for (std::size_t i = 0; i < all.size(); ++i)
        index += fmt::format("{}\"{}\": \"{}\"", i ? ", " : "", all[i].name, shard[i < half ? 0 : 1]);
    write_text(tmp, "model.safetensors.index.json", index + "}}");
    const auto hf = model::open_model(tmp.path());
    EXPECT_EQ(hf.config.arch, model::Arch::Qwen2);
    EXPECT_TRUE(hf.config.tied_output);
    EXPECT_TRUE(hf.config.qkv_bias);
    EXPECT_EQ(hf.tensors.files.size(), 2u);
    const auto want = teacher_forced_logits(gguf);
    EXPECT_EQ(max_abs_diff(teacher_forced_logits(tmp.path()), want), 0.0);
}

// Phi (PhiForCausalLM): separate q/k/v with biases, a head with a bias, partial rotary from
// partial_rotary_factor (12 of 32 dimensions).
TEST(HfArch, PhiWithPartialRotaryAndHeadBias)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    const auto gguf = dir / "phi2-rand-qkv.gguf";
    const TempDir tmp;
    write_text(tmp, "config.json", R"({"architectures": ["PhiForCausalLM"], "model_type": "phi",
        "hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
        "intermediate_size": 512, "max_position_embeddings": 128, "vocab_size": 512, "layer_norm_eps": 1e-05,
        "partial_rotary_factor": 0.375, "rope_theta": 10000.0, "hidden_act": "gelu_new", "qk_layernorm": false,
        "tie_word_embeddings": false})");
    tmp.write("model.safetensors", safetensors_of(hf_tensors(gguf, "phi", 32)));
    const auto hf = model::open_model(tmp.path());
    EXPECT_EQ(hf.config.arch, model::Arch::Phi2);
    EXPECT_EQ(hf.config.n_rot, 12u);
    EXPECT_FALSE(hf.config.fused_qkv);
    // Separate q/k/v give the fused GGUF's logits bit for bit (one matrix row per value).
    const auto want = teacher_forced_logits(gguf);
    EXPECT_EQ(max_abs_diff(teacher_forced_logits(tmp.path()), want), 0.0);
}

// An alias whose target has another shape is refused, naming both tensors.
TEST(HfArch, AnAliasOfTheWrongShapeIsRefused)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    auto all = hf_tensors(dir / "qwen2-w256.gguf", "qwen2", 32);
    const TempDir tmp;
    write_text(tmp, "config.json", R"({"model_type": "qwen2", "hidden_size": 256, "num_hidden_layers": 5,
        "num_attention_heads": 8, "num_key_value_heads": 4, "intermediate_size": 768,
        "max_position_embeddings": 2048, "vocab_size": 512, "tie_word_embeddings": false})");
    all = without(all, "model.embed_tokens.weight");
    all.push_back({"lm_head.weight", {512, 256}, named(hf_tensors(dir / "qwen2-w256.gguf", "qwen2", 32),
                                                       "model.embed_tokens.weight").bytes});
    tmp.write("model.safetensors", safetensors_of(all, {{"model.embed_tokens.weight", "model.norm.weight"}}));
    try {
        model::open_model(tmp.path());
        ADD_FAILURE() << "no error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("model.embed_tokens.weight is saved as model.norm.weight"),
                  std::string::npos)
            << e.what();
    }
}
