// The scratch memory of a forward pass over a batch of tokens. Owned by the caller (the
// session) so its bytes can be accounted; the architecture only writes into it.
#pragma once

#include "model/model_config.hpp"

#include <cstddef>
#include <algorithm>
#include <vector>

namespace edge_rt::model {

struct Activations {
    std::size_t n_tokens = 0;      // tokens in the current batch
    std::size_t capacity = 0;      // largest batch the buffers hold
    std::vector<float> x;          // [n][n_embd] the residual stream
    std::vector<float> xn;         // [n][n_embd] normalised input of a sub-layer
    std::vector<float> q;          // [n][n_embd]
    std::vector<float> k;          // [n][kv_dim]
    std::vector<float> v;          // [n][kv_dim]
    std::vector<float> qkv;        // [n][3*n_embd] GPT-2's (and fused Phi-2's) q/k/v projection
    std::vector<float> attn;       // [n][n_embd] attention output before its projection
    std::vector<float> proj;       // [n][n_embd] a projection added back to x
    std::vector<float> ff_a;       // [n][n_ff]
    std::vector<float> ff_b;       // [n][n_ff]
    std::vector<float> scores;     // [n_ctx] attention weights of one head
    std::vector<float> vec_a, vec_b; // decoded norm weights / biases
    std::vector<float> out_bias;   // [n_vocab] Phi-2's decoded output bias, for every output part
    std::vector<std::byte> xq;     // a matmul input quantised to 8-bit blocks (SIMD kernels)

    /// Sizes every buffer for batches of up to `max_tokens` tokens and a context of `n_ctx`.
    void reserve(const ModelConfig& config, std::size_t max_tokens, std::size_t n_ctx);
    /// Bytes held by the buffers (xq included).
    std::size_t bytes() const;
    /// Bytes reserve(config, max_tokens, n_ctx) makes the buffers hold (for the planner).
    static std::size_t bytes_for(const ModelConfig& config, std::size_t max_tokens, std::size_t n_ctx);
};

} // namespace edge_rt::model
