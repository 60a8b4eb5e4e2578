#include "model/hf_names.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <tuple>

namespace edge_rt::model {

HfTensorNames::HfTensorNames(const ModelConfig& config, bool output_required)
    : arch_(config.arch), prefix_(config.arch == Arch::Gpt2 ? "transformer." : "model.")
{
    if (arch_ == Arch::Gpt2)
        add_gpt2(config);
    else if (arch_ == Arch::Phi2)
        add_phi(config);
    else
        add_llama(config);
    // PyTorch Linear [n_vocab][n_embd]; with tied weights the embedding serves instead.
    add("lm_head.weight", "output.weight", {config.n_embd, config.n_vocab});
    specs_.back().required = output_required;
    specs_.back().prefixable = false;
    if (arch_ == Arch::Phi2) { // Phi's head has a bias, tied weights or not
        add("lm_head.bias", "output.bias", {config.n_vocab});
        specs_.back().prefixable = false;
    }
}

void HfTensorNames::add(std::string hf, std::string gguf, std::vector<std::uint64_t> shape, bool conv1d)
{
    by_hf_name_.emplace(hf, specs_.size());
    specs_.push_back({std::move(hf), std::move(gguf), std::move(shape), conv1d, true, true});
}

// transformers' GPT2Model: Conv1D layers hold weight [in][out] and bias [out].
void HfTensorNames::add_gpt2(const ModelConfig& c)
{
    const std::uint64_t e = c.n_embd;
    const std::uint64_t ff = c.n_ff;
    add("wte.weight", "token_embd.weight", {e, c.n_vocab});
    add("wpe.weight", "position_embd.weight", {e, c.n_ctx_train});
    for (std::uint32_t i = 0; i < c.n_layer; ++i) {
        const auto hf = [i](const char* s) { return fmt::format("h.{}.{}", i, s); };
        const auto blk = [i](const char* s) { return fmt::format("blk.{}.{}", i, s); };
        add(hf("ln_1.weight"), blk("attn_norm.weight"), {e});
        add(hf("ln_1.bias"), blk("attn_norm.bias"), {e});
        add(hf("attn.c_attn.weight"), blk("attn_qkv.weight"), {e, 3 * e}, true);
        add(hf("attn.c_attn.bias"), blk("attn_qkv.bias"), {3 * e});
        add(hf("attn.c_proj.weight"), blk("attn_output.weight"), {e, e}, true);
        add(hf("attn.c_proj.bias"), blk("attn_output.bias"), {e});
        add(hf("ln_2.weight"), blk("ffn_norm.weight"), {e});
        add(hf("ln_2.bias"), blk("ffn_norm.bias"), {e});
        add(hf("mlp.c_fc.weight"), blk("ffn_up.weight"), {e, ff}, true);
        add(hf("mlp.c_fc.bias"), blk("ffn_up.bias"), {ff});
        add(hf("mlp.c_proj.weight"), blk("ffn_down.weight"), {ff, e}, true);
        add(hf("mlp.c_proj.bias"), blk("ffn_down.bias"), {e});
    }
    add("ln_f.weight", "output_norm.weight", {e});
    add("ln_f.bias", "output_norm.bias", {e});
}

// transformers' LlamaModel: Linear layers hold weight [out][in], so GGML {in, out}.
void HfTensorNames::add_llama(const ModelConfig& c)
{
    const std::uint64_t e = c.n_embd;
    const std::uint64_t ff = c.n_ff;
    const std::uint64_t kv = std::uint64_t{c.n_head_kv} * c.head_dim();
    add("embed_tokens.weight", "token_embd.weight", {e, c.n_vocab});
    for (std::uint32_t i = 0; i < c.n_layer; ++i) {
        const auto hf = [i](const char* s) { return fmt::format("layers.{}.{}", i, s); };
        const auto blk = [i](const char* s) { return fmt::format("blk.{}.{}", i, s); };
        add(hf("input_layernorm.weight"), blk("attn_norm.weight"), {e});
        add(hf("self_attn.q_proj.weight"), blk("attn_q.weight"), {e, e});
        add(hf("self_attn.k_proj.weight"), blk("attn_k.weight"), {e, kv});
        add(hf("self_attn.v_proj.weight"), blk("attn_v.weight"), {e, kv});
        if (c.qkv_bias) { // Qwen2
            add(hf("self_attn.q_proj.bias"), blk("attn_q.bias"), {e});
            add(hf("self_attn.k_proj.bias"), blk("attn_k.bias"), {kv});
            add(hf("self_attn.v_proj.bias"), blk("attn_v.bias"), {kv});
        }
        add(hf("self_attn.o_proj.weight"), blk("attn_output.weight"), {e, e});
        add(hf("post_attention_layernorm.weight"), blk("ffn_norm.weight"), {e});
        add(hf("mlp.gate_proj.weight"), blk("ffn_gate.weight"), {e, ff});
        add(hf("mlp.up_proj.weight"), blk("ffn_up.weight"), {e, ff});
        add(hf("mlp.down_proj.weight"), blk("ffn_down.weight"), {ff, e});
    }
    add("norm.weight", "output_norm.weight", {e});
}

// transformers' PhiModel: Linear layers with biases; q/k rows already in the halves layout
// the runtime's NEOX RoPE uses (GGUF phi2 files keep them as they are too).
void HfTensorNames::add_phi(const ModelConfig& c)
{
    const std::uint64_t e = c.n_embd;
    const std::uint64_t ff = c.n_ff;
    const std::uint64_t kv = std::uint64_t{c.n_head_kv} * c.head_dim();
    add("embed_tokens.weight", "token_embd.weight", {e, c.n_vocab});
    for (std::uint32_t i = 0; i < c.n_layer; ++i) {
        const auto hf = [i](const std::string& s) { return fmt::format("layers.{}.{}", i, s); };
        const auto blk = [i](const std::string& s) { return fmt::format("blk.{}.{}", i, s); };
        const std::tuple<const char*, const char*, std::uint64_t, std::uint64_t> linears[] = {
            {"self_attn.q_proj", "attn_q", e, e},   {"self_attn.k_proj", "attn_k", e, kv},
            {"self_attn.v_proj", "attn_v", e, kv},  {"self_attn.dense", "attn_output", e, e},
            {"mlp.fc1", "ffn_up", e, ff},           {"mlp.fc2", "ffn_down", ff, e}};
        add(hf("input_layernorm.weight"), blk("attn_norm.weight"), {e});
        add(hf("input_layernorm.bias"), blk("attn_norm.bias"), {e});
        for (const auto& [from, to, in, out] : linears) {
            add(hf(std::string(from) + ".weight"), blk(std::string(to) + ".weight"), {in, out});
            add(hf(std::string(from) + ".bias"), blk(std::string(to) + ".bias"), {out});
        }
    }
    add("final_layernorm.weight", "output_norm.weight", {e});
    add("final_layernorm.bias", "output_norm.bias", {e});
}

const HfTensorSpec* HfTensorNames::find(std::string_view file_name) const
{
    if (const auto it = by_hf_name_.find(file_name); it != by_hf_name_.end())
        return &specs_[it->second];
    if (!file_name.starts_with(prefix_))
        return nullptr;
    const auto it = by_hf_name_.find(file_name.substr(prefix_.size()));
    if (it == by_hf_name_.end() || !specs_[it->second].prefixable)
        return nullptr;
    return &specs_[it->second];
}

bool HfTensorNames::ignorable(std::string_view file_name) const
{
    if (file_name.starts_with(prefix_))
        file_name.remove_prefix(prefix_.size());
    const auto buffer_of_layer = [&](std::string_view layers, std::string_view suffix) {
        if (!file_name.starts_with(layers) || !file_name.ends_with(suffix))
            return false;
        const auto index = file_name.substr(layers.size(), file_name.size() - layers.size() - suffix.size());
        return !index.empty() && std::all_of(index.begin(), index.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    };
    if (arch_ == Arch::Gpt2)
        return buffer_of_layer("h.", ".attn.bias") || buffer_of_layer("h.", ".attn.masked_bias");
    return buffer_of_layer("layers.", ".self_attn.rotary_emb.inv_freq");
}

std::vector<std::uint64_t> HfTensorNames::file_shape(const HfTensorSpec& spec)
{
    if (spec.conv1d)
        return spec.shape;
    return {spec.shape.rbegin(), spec.shape.rend()};
}

} // namespace edge_rt::model
