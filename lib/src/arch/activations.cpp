#include "arch/activations.hpp"

#include "kernels/matmul.hpp"

#include <array>
#include <numeric>

namespace edge_rt::model {
namespace {

// Floats of each buffer, in the order of Activations' members x .. out_bias.
std::array<std::size_t, 14> buffer_sizes(const ModelConfig& c, std::size_t n, std::size_t n_ctx)
{
    const std::size_t kv_dim = static_cast<std::size_t>(c.n_head_kv) * c.head_dim();
    const bool phi2 = c.arch == Arch::Phi2;
    const bool fused = c.arch == Arch::Gpt2 || (phi2 && c.fused_qkv); // one [q|k|v] row per token
    const bool gated = c.arch == Arch::Llama || c.arch == Arch::Qwen2; // SwiGLU needs gate and up
    return {n * c.n_embd,
            n * c.n_embd,
            fused ? 0 : n * c.n_embd,
            fused ? 0 : n * kv_dim,
            fused ? 0 : n * kv_dim,
            fused ? n * 3 * c.n_embd : 0,
            n * c.n_embd,
            n * c.n_embd,
            n * c.n_ff,
            gated ? n * c.n_ff : 0,
            n_ctx,
            std::max<std::size_t>(c.n_ff, 3 * c.n_embd),
            c.n_embd,
            phi2 ? c.n_vocab : 0};
}

// Bytes of the quantised copy of the widest matmul input (n_embd or n_ff values per token).
std::size_t xq_bytes(const ModelConfig& c, std::size_t n)
{
    return std::max(kernels::matmul_scratch_bytes(c.n_embd, n), kernels::matmul_scratch_bytes(c.n_ff, n));
}

} // namespace

void Activations::reserve(const ModelConfig& c, std::size_t max_tokens, std::size_t n_ctx)
{
    const auto sizes = buffer_sizes(c, max_tokens, n_ctx);
    std::vector<float>* buffers[] = {&x,    &xn,   &q,      &k,     &v,     &qkv,   &attn,
                                     &proj, &ff_a, &ff_b, &scores, &vec_a, &vec_b, &out_bias};
    capacity = max_tokens;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        // A fresh vector of the exact size: resize() may double the capacity when it grows.
        if (buffers[i]->capacity() < sizes[i])
            std::vector<float>(sizes[i]).swap(*buffers[i]);
        else
            buffers[i]->resize(sizes[i]);
    }
    const std::size_t q = xq_bytes(c, max_tokens);
    if (xq.capacity() < q)
        std::vector<std::byte>(q).swap(xq);
    else
        xq.resize(q);
}

std::size_t Activations::bytes() const
{
    std::size_t floats = 0;
    for (const auto* b : {&x, &xn, &q, &k, &v, &qkv, &attn, &proj, &ff_a, &ff_b, &scores, &vec_a, &vec_b, &out_bias})
        floats += b->capacity();
    return floats * sizeof(float) + xq.capacity();
}

std::size_t Activations::bytes_for(const ModelConfig& config, std::size_t max_tokens, std::size_t n_ctx)
{
    const auto sizes = buffer_sizes(config, max_tokens, n_ctx);
    return std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}) * sizeof(float) + xq_bytes(config, max_tokens);
}

} // namespace edge_rt::model
