#include "st_test_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace edge_rt::test {

std::filesystem::path test_data(const std::string& folder)
{
    return std::filesystem::path(required_env("EDGE_RT_TEST_DATA")) / folder;
}

std::filesystem::path write_text(const TempDir& dir, const std::string& name, const std::string& text)
{
    return dir.write(name, std::vector<std::uint8_t>(text.begin(), text.end()));
}

std::string format_error(const std::function<void()>& fn, const std::filesystem::path& file)
{
    try {
        fn();
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(file.string()), std::string::npos) << msg << "\n  must name " << file;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "must be one line: " << msg;
        return msg;
    }
    return "no error";
}

std::vector<std::pair<std::string, std::vector<std::uint64_t>>> llama_tensors(const TinyLlama& m)
{
    const std::string p = m.model_prefix ? "model." : "";
    const std::uint64_t e = m.n_embd, kv = std::uint64_t{m.n_head_kv} * (m.n_embd / m.n_head);
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> out;
    out.push_back({p + "embed_tokens.weight", {m.n_vocab, e}});
    for (std::uint32_t i = 0; i < m.n_layer; ++i) {
        const auto l = fmt::format("{}layers.{}.", p, i);
        out.push_back({l + "self_attn.q_proj.weight", {e, e}});
        out.push_back({l + "self_attn.k_proj.weight", {kv, e}});
        out.push_back({l + "self_attn.v_proj.weight", {kv, e}});
        out.push_back({l + "self_attn.o_proj.weight", {e, e}});
        out.push_back({l + "mlp.gate_proj.weight", {m.n_ff, e}});
        out.push_back({l + "mlp.up_proj.weight", {m.n_ff, e}});
        out.push_back({l + "mlp.down_proj.weight", {e, m.n_ff}});
        out.push_back({l + "input_layernorm.weight", {e}});
        out.push_back({l + "post_attention_layernorm.weight", {e}});
    }
    out.push_back({p + "norm.weight", {e}});
    if (m.lm_head)
        out.push_back({"lm_head.weight", {m.n_vocab, e}});
    return out;
}

std::string llama_config_json(const TinyLlama& m)
{
    return fmt::format(R"({{"architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": {}, "num_hidden_layers": {}, "num_attention_heads": {}, "num_key_value_heads": {},
  "intermediate_size": {}, "vocab_size": {}, "max_position_embeddings": {}, "rms_norm_eps": 1e-06,
  "rope_theta": 500000.0, "hidden_act": "silu", "tie_word_embeddings": {}, "rope_scaling": null}})",
                       m.n_embd, m.n_layer, m.n_head, m.n_head_kv, m.n_ff, m.n_vocab, m.n_ctx,
                       m.lm_head ? "false" : "true");
}

std::vector<std::uint8_t> pattern_bytes(std::size_t index, std::uint64_t nbytes)
{
    std::vector<std::uint8_t> out(nbytes);
    for (std::uint64_t i = 0; i < nbytes; ++i)
        out[i] = static_cast<std::uint8_t>(index * 37 + i * 11 + (i >> 8));
    return out;
}

} // namespace edge_rt::test
