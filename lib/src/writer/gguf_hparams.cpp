#include "writer/gguf_hparams.hpp"

#include "writer/gguf_writer.hpp"

#include <algorithm>

namespace edge_rt::model {

std::string gguf_arch_name(const ModelConfig& c)
{
    switch (c.arch) {
    case Arch::Llama: return "llama";
    case Arch::Qwen2: return "qwen2";
    case Arch::Phi2: return "phi2";
    case Arch::Gpt2: return "gpt2";
    }
    return "llama";
}

std::optional<float> linear_rope_factor(const ModelConfig& c)
{
    const auto& f = c.rope_freq_factors;
    if (f.empty() || !std::all_of(f.begin(), f.end(), [&](float x) { return x == f.front(); }))
        return std::nullopt;
    return f.front();
}

std::vector<std::pair<std::string, GgufValue>> gguf_hparams(const ModelConfig& c)
{
    const std::string a = gguf_arch_name(c);
    std::vector<std::pair<std::string, GgufValue>> m;
    const auto u32 = [&](const char* key, std::uint32_t v) { m.emplace_back(a + key, gguf_u32(v)); };
    u32(".context_length", c.n_ctx_train);
    u32(".embedding_length", c.n_embd);
    u32(".block_count", c.n_layer);
    u32(".feed_forward_length", c.n_ff);
    u32(".attention.head_count", c.n_head);
    if (c.arch == Arch::Gpt2) {
        m.emplace_back(a + ".attention.layer_norm_epsilon", gguf_f32(c.norm_eps));
        return m;
    }
    u32(".attention.head_count_kv", c.n_head_kv);
    u32(".rope.dimension_count", c.n_rot);
    m.emplace_back(a + ".rope.freq_base", gguf_f32(c.rope_freq_base));
    const bool rms = c.arch == Arch::Llama || c.arch == Arch::Qwen2;
    m.emplace_back(a + (rms ? ".attention.layer_norm_rms_epsilon" : ".attention.layer_norm_epsilon"),
                   gguf_f32(c.norm_eps));
    u32(".vocab_size", c.n_vocab);
    if (const auto factor = linear_rope_factor(c)) {
        m.emplace_back(a + ".rope.scaling.type", gguf_string("linear"));
        m.emplace_back(a + ".rope.scaling.factor", gguf_f32(*factor));
    }
    return m;
}

} // namespace edge_rt::model
