#include "arch/phi2.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

// Positions of the views in a layer group. The q/k/v projection is one fused matrix and bias
// (older GGUF files) or three of each (current ones): kQkv.. index whichever the file has.
enum LayerWeight { kNormW, kNormB, kQkv };
enum OutputWeight { kOutNormW, kOutNormB, kOutBias, kOutMatrix };
// After the q/k/v views: attention output, up and down projections, weight then bias.
enum TailWeight { kWo, kBo, kUpW, kUpB, kDownW, kDownB };

class Phi2 final : public Architecture {
public:
    Phi2(const ModelConfig& c, const kernels::KernelTable& k);

    void embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t pos0,
               Activations& act) const override;
    void layer(std::uint32_t i, GroupWeights w, Activations& act, KvCache& kv, std::size_t pos0) const override;

protected:
    void output_norm(GroupWeights w, Activations& act, std::size_t first, std::size_t n) const override;
    void finish_logits(Activations& act, float* logits, std::size_t n_rows, std::size_t row0,
                       std::size_t rows) const override;

private:
    void attention_block(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const;
    void mlp_block(GroupWeights w, Activations& a) const;
    void norm_rows(const kernels::WeightView& weight, const kernels::WeightView& bias, Activations& a,
                   std::size_t first, std::size_t n) const;
    /// q, k and v of the batch: pointers to token 0's and the floats between tokens.
    struct Qkv {
        float *q, *k, *v;
        std::size_t q_stride, kv_stride;
    };
    Qkv project_qkv(GroupWeights w, Activations& a) const;

    std::size_t E_, kv_dim_, tail_; // tail_: position of kWo in a layer group
};

Phi2::Phi2(const ModelConfig& c, const kernels::KernelTable& k)
    : Architecture(c, k), E_(c.n_embd), kv_dim_(static_cast<std::size_t>(c.n_head_kv) * c.head_dim()),
      tail_(c.fused_qkv ? kQkv + 2 : kQkv + 6)
{
    if (c.n_rot == 0 || c.n_rot % 2 != 0 || c.n_rot > c.head_dim())
        throw FormatError(fmt::format("{}: RoPE dimension count {} must be even and at most the head size {}",
                                      c.name, c.n_rot, c.head_dim()));
    const std::uint64_t E = E_, F = c.n_ff, V = c.n_vocab, KV = kv_dim_;
    groups_.push_back({GroupKind::Embedding, 0, {{"token_embd.weight", {E, V}}}});
    for (std::uint32_t i = 0; i < c.n_layer; ++i) {
        const auto n = [i](const char* t) { return fmt::format("blk.{}.{}", i, t); };
        std::vector<WeightSpec> specs{{n("attn_norm.weight"), {E}}, {n("attn_norm.bias"), {E}}};
        if (c.fused_qkv) {
            specs.push_back({n("attn_qkv.weight"), {E, E + 2 * KV}});
            specs.push_back({n("attn_qkv.bias"), {E + 2 * KV}});
        } else {
            for (const auto& [t, rows] : {std::pair{"attn_q", E}, {"attn_k", KV}, {"attn_v", KV}}) {
                specs.push_back({n(t) + ".weight", {E, rows}});
                specs.push_back({n(t) + ".bias", {rows}});
            }
        }
        const std::vector<WeightSpec> tail{{n("attn_output.weight"), {E, E}}, {n("attn_output.bias"), {E}},
                                           {n("ffn_up.weight"), {E, F}},      {n("ffn_up.bias"), {F}},
                                           {n("ffn_down.weight"), {F, E}},    {n("ffn_down.bias"), {E}}};
        specs.insert(specs.end(), tail.begin(), tail.end());
        groups_.push_back({GroupKind::Layer, i, std::move(specs)});
    }
    // The bias sits with the norm in the first output part; the matrix stays last (split_output).
    groups_.push_back({GroupKind::Output, 0,
                       {{"output_norm.weight", {E}},
                        {"output_norm.bias", {E}},
                        {"output.bias", {V}},
                        {c.tied_output ? "token_embd.weight" : "output.weight", {E, V}}}});
}

void Phi2::embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t, Activations& a) const
{
    expect_group(w, embedding_group());
    a.n_tokens = tokens.size();
    for (std::size_t t = 0; t < tokens.size(); ++t)
        kernels_.embedding_row(w[0], static_cast<std::size_t>(tokens[t]), a.x.data() + t * E_);
}

void Phi2::norm_rows(const kernels::WeightView& weight, const kernels::WeightView& bias, Activations& a,
                     std::size_t first, std::size_t n) const
{
    const float* g = vector_of(weight, a.vec_a);
    const float* b = vector_of(bias, a.vec_b);
    for (std::size_t t = first; t < first + n; ++t)
        kernels_.layernorm(a.x.data() + t * E_, g, b, E_, config_.norm_eps, a.xn.data() + t * E_);
}

Phi2::Qkv Phi2::project_qkv(GroupWeights w, Activations& a) const
{
    const std::size_t n = a.n_tokens;
    if (config_.fused_qkv) {
        const std::size_t row = E_ + 2 * kv_dim_;
        matmul(w[kQkv], a.xn.data(), n, a.qkv.data(), a);
        add_bias(a.qkv.data(), w[kQkv + 1], n, row, a.vec_a);
        return {a.qkv.data(), a.qkv.data() + E_, a.qkv.data() + E_ + kv_dim_, row, row};
    }
    const kernels::MatmulTarget qkv[] = {
        {&w[kQkv], a.q.data()}, {&w[kQkv + 2], a.k.data()}, {&w[kQkv + 4], a.v.data()}};
    matmul_shared_input(qkv, a.xn.data(), n, a);
    add_bias(a.q.data(), w[kQkv + 1], n, E_, a.vec_a);
    add_bias(a.k.data(), w[kQkv + 3], n, kv_dim_, a.vec_a);
    add_bias(a.v.data(), w[kQkv + 5], n, kv_dim_, a.vec_a);
    return {a.q.data(), a.k.data(), a.v.data(), E_, kv_dim_};
}

void Phi2::attention_block(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const
{
    const std::size_t n = a.n_tokens;
    const Qkv p = project_qkv(w, a);
    for (std::size_t t = 0; t < n; ++t) {
        float* k = p.k + t * p.kv_stride;
        rope(p.q + t * p.q_stride, config_.n_head, pos0 + t);
        rope(k, config_.n_head_kv, pos0 + t);
        std::copy_n(k, kv_dim_, kv.k(il, pos0 + t));
        std::copy_n(p.v + t * p.kv_stride, kv_dim_, kv.v(il, pos0 + t));
    }
    attend(p.q, p.q_stride, kv.k(il, 0), kv.v(il, 0), kv_dim_, config_.n_head_kv, n, pos0, a.attn.data());
    matmul(w[tail_ + kWo], a.attn.data(), n, a.proj.data(), a);
    add_bias(a.proj.data(), w[tail_ + kBo], n, E_, a.vec_a);
}

void Phi2::mlp_block(GroupWeights w, Activations& a) const
{
    const std::size_t n = a.n_tokens;
    const std::size_t F = config_.n_ff;
    matmul(w[tail_ + kUpW], a.xn.data(), n, a.ff_a.data(), a);
    add_bias(a.ff_a.data(), w[tail_ + kUpB], n, F, a.vec_a);
    kernels_.gelu(a.ff_a.data(), n * F);
    matmul(w[tail_ + kDownW], a.ff_a.data(), n, a.proj.data(), a);
    add_bias(a.proj.data(), w[tail_ + kDownB], n, E_, a.vec_a);
}

void Phi2::layer(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const
{
    expect_group(w, layer_group(il));
    const std::size_t n = a.n_tokens;
    norm_rows(w[kNormW], w[kNormB], a, 0, n);
    // Parallel block: both halves read xn (the same normalised input), and both add to x.
    attention_block(il, w, a, kv, pos0);
    kernels_.add(a.x.data(), a.proj.data(), n * E_);
    mlp_block(w, a);
    kernels_.add(a.x.data(), a.proj.data(), n * E_);
}

void Phi2::output_norm(GroupWeights w, Activations& a, std::size_t first, std::size_t n) const
{
    norm_rows(w[kOutNormW], w[kOutNormB], a, first, n);
    // Decoded once per pass here, in the first output part, for every part's rows.
    vector_of(w[kOutBias], a.out_bias);
}

void Phi2::finish_logits(Activations& a, float* logits, std::size_t n_rows, std::size_t row0, std::size_t rows) const
{
    for (std::size_t t = 0; t < n_rows; ++t)
        kernels_.add(logits + t * config_.n_vocab + row0, a.out_bias.data() + row0, rows);
}

} // namespace

std::unique_ptr<Architecture> make_phi2(const ModelConfig& config, const kernels::KernelTable& kernels)
{
    return std::make_unique<Phi2>(config, kernels);
}

} // namespace edge_rt::model
