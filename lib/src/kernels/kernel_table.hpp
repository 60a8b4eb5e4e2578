// The compute kernels behind one function table, so SIMD variants (NEON, AVX2, AVX-512) can
// replace the scalar reference one entry at a time. Every kernel works on F32 activations;
// weights come as WeightViews of any supported type. Kernels hold no state and allocate only
// scratch. Matrix products go through kernels::matmul (matmul.hpp), which quantises the
// activations when the table asks for it and splits the rows across threads.
#pragma once

#include "kernels/weight_view.hpp"

#include <cstddef>

namespace edge_rt::kernels {

/// How RoPE pairs the dimensions of a head: adjacent (x0,x1),(x2,x3)… as in GGUF Llama files,
/// or the two halves (x_i, x_{i+n_rot/2}) as in Hugging Face Llama checkpoints.
enum class RopePairing { Interleaved, Halves };

/// One query position attending over the KV cache of one layer.
struct AttentionArgs {
    const float* q = nullptr;       // [n_head][head_dim], this position's queries
    const float* k = nullptr;       // cache rows [n_kv][kv_stride], position 0 first
    const float* v = nullptr;       // same layout as k
    std::size_t n_kv = 0;           // positions to attend to (causal: this one and all before)
    std::size_t kv_stride = 0;      // floats between consecutive positions (n_head_kv*head_dim)
    std::size_t n_head = 0;
    std::size_t n_head_kv = 0;      // divides n_head; query head h reads KV head h/(n_head/n_head_kv)
    std::size_t head_dim = 0;
    float* scores = nullptr;        // scratch, n_kv floats
    float* out = nullptr;           // [n_head][head_dim]
};

struct KernelTable {
    const char* name;

    /// True when block-quantised weights are multiplied with activations quantised to 8 bits
    /// (the form activation_form(dtype) names, activation_quant.hpp) instead of the floats.
    bool quantized_activations;
    /// Rows [row_begin, row_end) of y = W x for `n` inputs: x is [n][w.cols], y is [n][w.rows].
    /// `xq` holds x in the form activation_form(w.dtype) when quantized_activations is set
    /// and the weights are a block type (nullptr otherwise). A variant without its own code
    /// for a type calls scalar::matmul_rows_quantized for it. Each output row is computed by one fixed sequence of operations
    /// whatever the row range, so splitting rows across threads never changes a result.
    void (*matmul_rows)(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                        std::size_t row_begin, std::size_t row_end);
    /// Quantises rows [t_begin, t_end) of x ([n][cols]) to Q8 blocks: quantize_activations
    /// (activation_quant.hpp) or a variant giving the same bytes.
    void (*quantize)(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out);
    /// The same into the Q8x256 form (quantize_activations_k or the same bytes).
    void (*quantize_k)(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out);
    /// out = x / sqrt(mean(x^2) + eps) * weight. `out` may alias `x`.
    void (*rmsnorm)(const float* x, const float* weight, std::size_t n, float eps, float* out);
    /// out = (x - mean) / sqrt(var + eps) * weight + bias. `out` may alias `x`.
    void (*layernorm)(const float* x, const float* weight, const float* bias, std::size_t n, float eps,
                      float* out);
    /// Rotates the first n_rot dimensions of each of `n_heads` heads of x (in place) by the
    /// angles pos * freq_base^(-2i/n_rot), i = 0 .. n_rot/2-1.
    void (*rope)(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t n_rot, std::size_t pos,
                 float freq_base, RopePairing pairing);
    /// x = exp(x - max) / sum, in place.
    void (*softmax)(float* x, std::size_t n);
    /// gate = silu(gate) * up (SwiGLU), in place.
    void (*silu_mul)(float* gate, const float* up, std::size_t n);
    /// x = gelu(x) with the tanh approximation (GPT-2's gelu_new), in place.
    void (*gelu)(float* x, std::size_t n);
    /// y += x.
    void (*add)(float* y, const float* x, std::size_t n);
    /// Scaled dot-product attention of one position, grouped KV heads allowed.
    void (*attention)(const AttentionArgs& args);
    /// out = row `row` of `table` (an embedding matrix of any supported type), as floats.
    void (*embedding_row)(const WeightView& table, std::size_t row, float* out);
    /// rope with pair i's angle divided by freq_factors[i] (scaled RoPE: Llama 3, linear).
    void (*rope_factors)(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t n_rot, std::size_t pos,
                         float freq_base, RopePairing pairing, const float* freq_factors);
};

/// The portable reference implementation of every kernel: f32 activations, weights decoded
/// to floats (the exact math of the quantised weights).
const KernelTable& scalar_kernels();

/// The scalar kernels with quantised activations (scalar::matmul_rows_quantized): the
/// reference the SIMD quantised products are tested against, and what llama.cpp computes.
/// Not in available_kernels(); for tests.
const KernelTable& scalar_quantized_kernels();

} // namespace edge_rt::kernels
