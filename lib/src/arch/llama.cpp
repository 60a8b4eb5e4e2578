#include "arch/llama.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

// Positions of the views in each group (the order of the WeightSpecs below). Qwen2's q/k/v
// biases follow the matrices, at kBq.. only when the config has them.
enum LayerWeight { kAttnNorm, kWq, kWk, kWv, kWo, kFfnNorm, kGate, kUp, kDown, kBq, kBk, kBv };
enum OutputWeight { kOutNorm, kOutMatrix };

class Llama final : public Architecture {
public:
    Llama(const ModelConfig& c, const kernels::KernelTable& k);

    void embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t pos0,
               Activations& act) const override;
    void layer(std::uint32_t i, GroupWeights w, Activations& act, KvCache& kv, std::size_t pos0) const override;

protected:
    void output_norm(GroupWeights w, Activations& act, std::size_t first, std::size_t n) const override;

private:
    void attention_block(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const;
    void ffn_block(GroupWeights w, Activations& a) const;
    void rms_rows(const kernels::WeightView& weight, Activations& a, std::size_t first, std::size_t n) const;

    std::size_t E_, kv_dim_, hd_;
};

Llama::Llama(const ModelConfig& c, const kernels::KernelTable& k)
    : Architecture(c, k), E_(c.n_embd), kv_dim_(static_cast<std::size_t>(c.n_head_kv) * c.head_dim()),
      hd_(c.head_dim())
{
    if (c.n_rot == 0 || c.n_rot % 2 != 0 || c.n_rot > hd_)
        throw FormatError(fmt::format("{}: RoPE dimension count {} must be even and at most the head size {}",
                                      c.name, c.n_rot, hd_));
    const std::uint64_t E = E_, F = c.n_ff, V = c.n_vocab, KV = kv_dim_;
    groups_.push_back({GroupKind::Embedding, 0, {{"token_embd.weight", {E, V}}}});
    for (std::uint32_t i = 0; i < c.n_layer; ++i) {
        const auto n = [i](const char* t) { return fmt::format("blk.{}.{}.weight", i, t); };
        groups_.push_back({GroupKind::Layer, i,
                           {{n("attn_norm"), {E}}, {n("attn_q"), {E, E}}, {n("attn_k"), {E, KV}},
                            {n("attn_v"), {E, KV}}, {n("attn_output"), {E, E}}, {n("ffn_norm"), {E}},
                            {n("ffn_gate"), {E, F}}, {n("ffn_up"), {E, F}}, {n("ffn_down"), {F, E}}}});
        if (c.qkv_bias) {
            const auto b = [i](const char* t) { return fmt::format("blk.{}.{}.bias", i, t); };
            auto& specs = groups_.back().weights;
            specs.push_back({b("attn_q"), {E}});
            specs.push_back({b("attn_k"), {KV}});
            specs.push_back({b("attn_v"), {KV}});
        }
    }
    groups_.push_back({GroupKind::Output, 0,
                       {{"output_norm.weight", {E}},
                        {c.tied_output ? "token_embd.weight" : "output.weight", {E, V}}}});
}

void Llama::embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t, Activations& a) const
{
    expect_group(w, embedding_group());
    a.n_tokens = tokens.size();
    for (std::size_t t = 0; t < tokens.size(); ++t)
        kernels_.embedding_row(w[0], static_cast<std::size_t>(tokens[t]), a.x.data() + t * E_);
}

void Llama::rms_rows(const kernels::WeightView& weight, Activations& a, std::size_t first, std::size_t n) const
{
    const float* g = vector_of(weight, a.vec_a);
    for (std::size_t t = first; t < first + n; ++t)
        kernels_.rmsnorm(a.x.data() + t * E_, g, E_, config_.norm_eps, a.xn.data() + t * E_);
}

void Llama::attention_block(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const
{
    const std::size_t n = a.n_tokens;
    rms_rows(w[kAttnNorm], a, 0, n);
    const kernels::MatmulTarget qkv[] = {{&w[kWq], a.q.data()}, {&w[kWk], a.k.data()}, {&w[kWv], a.v.data()}};
    matmul_shared_input(qkv, a.xn.data(), n, a);
    if (config_.qkv_bias) {
        add_bias(a.q.data(), w[kBq], n, E_, a.vec_a);
        add_bias(a.k.data(), w[kBk], n, kv_dim_, a.vec_a);
        add_bias(a.v.data(), w[kBv], n, kv_dim_, a.vec_a);
    }
    for (std::size_t t = 0; t < n; ++t) {
        float* q = a.q.data() + t * E_;
        float* k = a.k.data() + t * kv_dim_;
        rope(q, config_.n_head, pos0 + t);
        rope(k, config_.n_head_kv, pos0 + t);
        std::copy_n(k, kv_dim_, kv.k(il, pos0 + t));
        std::copy_n(a.v.data() + t * kv_dim_, kv_dim_, kv.v(il, pos0 + t));
    }
    // Every key of the batch is in the cache now; token t sees positions 0 .. pos0+t.
    attend(a.q.data(), E_, kv.k(il, 0), kv.v(il, 0), kv_dim_, config_.n_head_kv, n, pos0, a.attn.data());
    matmul(w[kWo], a.attn.data(), n, a.proj.data(), a);
    kernels_.add(a.x.data(), a.proj.data(), n * E_);
}

void Llama::ffn_block(GroupWeights w, Activations& a) const
{
    const std::size_t n = a.n_tokens;
    const std::size_t F = config_.n_ff;
    rms_rows(w[kFfnNorm], a, 0, n);
    const kernels::MatmulTarget gate_up[] = {{&w[kGate], a.ff_a.data()}, {&w[kUp], a.ff_b.data()}};
    matmul_shared_input(gate_up, a.xn.data(), n, a);
    kernels_.silu_mul(a.ff_a.data(), a.ff_b.data(), n * F);
    matmul(w[kDown], a.ff_a.data(), n, a.proj.data(), a);
    kernels_.add(a.x.data(), a.proj.data(), n * E_);
}

void Llama::layer(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const
{
    expect_group(w, layer_group(il));
    attention_block(il, w, a, kv, pos0);
    ffn_block(w, a);
}

void Llama::output_norm(GroupWeights w, Activations& a, std::size_t first, std::size_t n) const
{
    rms_rows(w[kOutNorm], a, first, n);
}

} // namespace

std::unique_ptr<Architecture> make_llama(const ModelConfig& config, const kernels::KernelTable& kernels)
{
    return std::make_unique<Llama>(config, kernels);
}

} // namespace edge_rt::model
