#include "arch/gpt2.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

// Positions of the views in each group (the order of the WeightSpecs below).
enum EmbeddingWeight { kTokens, kPositions };
enum LayerWeight { kLn1W, kLn1B, kQkvW, kQkvB, kProjW, kProjB, kLn2W, kLn2B, kUpW, kUpB, kDownW, kDownB };
enum OutputWeight { kLnFW, kLnFB, kLmHead };

class Gpt2 final : public Architecture {
public:
    Gpt2(const ModelConfig& c, const kernels::KernelTable& k);

    void embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t pos0,
               Activations& act) const override;
    void layer(std::uint32_t i, GroupWeights w, Activations& act, KvCache& kv, std::size_t pos0) const override;

protected:
    void output_norm(GroupWeights w, Activations& act, std::size_t first, std::size_t n) const override;

private:
    void attention_block(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const;
    void ffn_block(GroupWeights w, Activations& a) const;
    void norm_rows(const kernels::WeightView& weight, const kernels::WeightView& bias, Activations& a,
                   std::size_t first, std::size_t n) const;
    /// y[t] += bias for each of n rows of `dim` values.
    void add_bias(float* y, const kernels::WeightView& bias, std::size_t n, std::size_t dim, Activations& a) const;

    std::size_t E_, hd_;
};

Gpt2::Gpt2(const ModelConfig& c, const kernels::KernelTable& k) : Architecture(c, k), E_(c.n_embd), hd_(c.head_dim())
{
    if (c.n_head_kv != c.n_head)
        throw FormatError(fmt::format("{}: GPT-2 has one KV head per query head, not {} for {}", c.name,
                                      c.n_head_kv, c.n_head));
    const std::uint64_t E = E_, F = c.n_ff, V = c.n_vocab, P = c.n_ctx_train;
    groups_.push_back({GroupKind::Embedding, 0, {{"token_embd.weight", {E, V}}, {"position_embd.weight", {E, P}}}});
    for (std::uint32_t i = 0; i < c.n_layer; ++i) {
        const auto n = [i](const char* t) { return fmt::format("blk.{}.{}", i, t); };
        groups_.push_back({GroupKind::Layer, i,
                           {{n("attn_norm.weight"), {E}}, {n("attn_norm.bias"), {E}},
                            {n("attn_qkv.weight"), {E, 3 * E}}, {n("attn_qkv.bias"), {3 * E}},
                            {n("attn_output.weight"), {E, E}}, {n("attn_output.bias"), {E}},
                            {n("ffn_norm.weight"), {E}}, {n("ffn_norm.bias"), {E}},
                            {n("ffn_up.weight"), {E, F}}, {n("ffn_up.bias"), {F}},
                            {n("ffn_down.weight"), {F, E}}, {n("ffn_down.bias"), {E}}}});
    }
    groups_.push_back({GroupKind::Output, 0,
                       {{"output_norm.weight", {E}}, {"output_norm.bias", {E}},
                        {c.tied_output ? "token_embd.weight" : "output.weight", {E, V}}}});
}

void Gpt2::embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t pos0, Activations& a) const
{
    expect_group(w, embedding_group());
    a.n_tokens = tokens.size();
    for (std::size_t t = 0; t < tokens.size(); ++t) {
        float* x = a.x.data() + t * E_;
        kernels_.embedding_row(w[kTokens], static_cast<std::size_t>(tokens[t]), x);
        kernels_.embedding_row(w[kPositions], pos0 + t, a.proj.data());
        kernels_.add(x, a.proj.data(), E_);
    }
}

void Gpt2::norm_rows(const kernels::WeightView& weight, const kernels::WeightView& bias, Activations& a,
                     std::size_t first, std::size_t n) const
{
    const float* g = vector_of(weight, a.vec_a);
    const float* b = vector_of(bias, a.vec_b);
    for (std::size_t t = first; t < first + n; ++t)
        kernels_.layernorm(a.x.data() + t * E_, g, b, E_, config_.norm_eps, a.xn.data() + t * E_);
}

void Gpt2::add_bias(float* y, const kernels::WeightView& bias, std::size_t n, std::size_t dim, Activations& a) const
{
    const float* b = vector_of(bias, a.vec_a);
    for (std::size_t t = 0; t < n; ++t)
        kernels_.add(y + t * dim, b, dim);
}

void Gpt2::attention_block(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const
{
    const std::size_t n = a.n_tokens;
    norm_rows(w[kLn1W], w[kLn1B], a, 0, n);
    matmul(w[kQkvW], a.xn.data(), n, a.qkv.data(), a);
    add_bias(a.qkv.data(), w[kQkvB], n, 3 * E_, a);
    // Each token's row is [q | k | v], n_embd values each.
    for (std::size_t t = 0; t < n; ++t) {
        const float* row = a.qkv.data() + t * 3 * E_;
        std::copy_n(row + E_, E_, kv.k(il, pos0 + t));
        std::copy_n(row + 2 * E_, E_, kv.v(il, pos0 + t));
    }
    attend(a.qkv.data(), 3 * E_, kv.k(il, 0), kv.v(il, 0), E_, config_.n_head, n, pos0, a.attn.data());
    matmul(w[kProjW], a.attn.data(), n, a.proj.data(), a);
    add_bias(a.proj.data(), w[kProjB], n, E_, a);
    kernels_.add(a.x.data(), a.proj.data(), n * E_);
}

void Gpt2::ffn_block(GroupWeights w, Activations& a) const
{
    const std::size_t n = a.n_tokens;
    const std::size_t F = config_.n_ff;
    norm_rows(w[kLn2W], w[kLn2B], a, 0, n);
    matmul(w[kUpW], a.xn.data(), n, a.ff_a.data(), a);
    add_bias(a.ff_a.data(), w[kUpB], n, F, a);
    kernels_.gelu(a.ff_a.data(), n * F);
    matmul(w[kDownW], a.ff_a.data(), n, a.proj.data(), a);
    add_bias(a.proj.data(), w[kDownB], n, E_, a);
    kernels_.add(a.x.data(), a.proj.data(), n * E_);
}

void Gpt2::layer(std::uint32_t il, GroupWeights w, Activations& a, KvCache& kv, std::size_t pos0) const
{
    expect_group(w, layer_group(il));
    attention_block(il, w, a, kv, pos0);
    ffn_block(w, a);
}

void Gpt2::output_norm(GroupWeights w, Activations& a, std::size_t first, std::size_t n) const
{
    norm_rows(w[kLnFW], w[kLnFB], a, first, n);
}

} // namespace

std::unique_ptr<Architecture> make_gpt2(const ModelConfig& config, const kernels::KernelTable& kernels)
{
    return std::make_unique<Gpt2>(config, kernels);
}

} // namespace edge_rt::model
