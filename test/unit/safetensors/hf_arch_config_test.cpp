// config.json of model_type qwen2 and phi: the values the runtime takes from them, and the
// keys it refuses rather than ignore (each error names the file and the key).
#include "edge_rt/error.hpp"
#include "model/hf_config.hpp"
#include "st_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace edge_rt;
using ::testing::HasSubstr;

namespace {

const std::string kPhi = R"({"model_type": "phi", "hidden_size": 2560, "num_hidden_layers": 32,
  "num_attention_heads": 32, "intermediate_size": 10240, "max_position_embeddings": 2048, "vocab_size": 51200,
  "partial_rotary_factor": 0.4, "layer_norm_eps": 1e-05, "hidden_act": "gelu_new", "rope_theta": 10000.0)";
const std::string kQwen2 = R"({"model_type": "qwen2", "hidden_size": 896, "num_hidden_layers": 24,
  "num_attention_heads": 14, "num_key_value_heads": 2, "intermediate_size": 4864, "max_position_embeddings": 32768,
  "vocab_size": 151936, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "tie_word_embeddings": true)";

std::string config_error(const std::string& json)
{
    test::TempDir dir;
    const auto path = test::write_text(dir, "config.json", json);
    try {
        (void)model::read_hf_config(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "no error";
}

model::HfConfig read(const std::string& json)
{
    test::TempDir dir;
    return model::read_hf_config(test::write_text(dir, "config.json", json));
}

} // namespace

// Phi-2's published config: head 80, partial_rotary_factor 0.4 -> 32 rotated dimensions.
TEST(HfArchConfig, Phi2)
{
    const auto h = read(kPhi + "}");
    EXPECT_EQ(h.config.arch, model::Arch::Phi2);
    EXPECT_EQ(h.config.head_dim(), 80u);
    EXPECT_EQ(h.config.n_rot, 32u);
    EXPECT_EQ(h.config.n_head_kv, 32u);
    EXPECT_EQ(h.config.rope_style, model::RopeStyle::Halves);
    EXPECT_FALSE(h.tie_word_embeddings);
    EXPECT_THAT(config_error(kPhi + R"(, "qk_layernorm": true})"), HasSubstr("key qk_layernorm is true"));
    EXPECT_THAT(config_error(R"({"model_type": "phi", "hidden_size": 2560, "num_hidden_layers": 32,
  "num_attention_heads": 32, "intermediate_size": 10240, "max_position_embeddings": 2048, "vocab_size": 51200,
  "partial_rotary_factor": 0.01})"), HasSubstr("key partial_rotary_factor 0.01 gives 0 rotary dimensions"));
    EXPECT_THAT(config_error(R"({"model_type": "phi", "hidden_size": 2560, "num_hidden_layers": 32,
  "num_attention_heads": 32, "intermediate_size": 10240, "max_position_embeddings": 2048, "vocab_size": 51200,
  "hidden_act": "relu"})"), HasSubstr("key hidden_act is relu"));
}

// Qwen2.5-0.5B's published config: 14 heads over 2 KV heads, tied, biases on q/k/v.
TEST(HfArchConfig, Qwen2)
{
    const auto h = read(kQwen2 + "}");
    EXPECT_EQ(h.config.arch, model::Arch::Qwen2);
    EXPECT_TRUE(h.config.qkv_bias);
    EXPECT_EQ(h.config.n_rot, 64u);
    EXPECT_EQ(h.config.rope_freq_base, 1000000.0f);
    EXPECT_TRUE(h.tie_word_embeddings);
    EXPECT_EQ(config_error(kQwen2 + R"(, "use_sliding_window": false, "sliding_window": 32768})"), "no error");
    EXPECT_THAT(config_error(kQwen2 + R"(, "use_sliding_window": true})"),
                HasSubstr("key use_sliding_window is true; sliding-window attention is not supported"));
    EXPECT_THAT(config_error(kQwen2 + R"(, "rope_scaling": {"type": "yarn", "factor": 4.0}})"),
                HasSubstr("key rope_scaling.rope_type is yarn"));
    const auto linear = read(kQwen2 + R"(, "rope_scaling": {"type": "linear", "factor": 2.0}})");
    EXPECT_EQ(linear.config.rope_freq_factors, std::vector<float>(32, 2.0f));
}
