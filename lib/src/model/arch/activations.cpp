#include "model/arch/activations.hpp"

namespace edge_rt::model {

void Activations::reserve(const ModelConfig& c, std::size_t max_tokens, std::size_t n_ctx)
{
    const std::size_t n = max_tokens;
    const std::size_t kv_dim = static_cast<std::size_t>(c.n_head_kv) * c.head_dim();
    const bool gpt2 = c.arch == Arch::Gpt2;
    capacity = n;
    x.resize(n * c.n_embd);
    xn.resize(n * c.n_embd);
    q.resize(gpt2 ? 0 : n * c.n_embd);
    k.resize(gpt2 ? 0 : n * kv_dim);
    v.resize(gpt2 ? 0 : n * kv_dim);
    qkv.resize(gpt2 ? n * 3 * c.n_embd : 0);
    attn.resize(n * c.n_embd);
    proj.resize(n * c.n_embd);
    ff_a.resize(n * c.n_ff);
    ff_b.resize(gpt2 ? 0 : n * c.n_ff);
    scores.resize(n_ctx);
    vec_a.resize(std::max<std::size_t>(c.n_ff, 3 * c.n_embd));
    vec_b.resize(c.n_embd);
}

std::size_t Activations::bytes() const
{
    std::size_t floats = 0;
    for (const auto* b : {&x, &xn, &q, &k, &v, &qkv, &attn, &proj, &ff_a, &ff_b, &scores, &vec_a, &vec_b})
        floats += b->capacity();
    return floats * sizeof(float);
}

} // namespace edge_rt::model
