// The scalar reference kernels (see kernel_table.hpp for what each computes). They favour
// clarity and accuracy over speed: sums accumulate in double and round to float once, so a
// SIMD variant is tested against them with a tolerance that reflects its own float error.
#pragma once

#include "kernels/activation_quant.hpp"
#include "kernels/kernel_table.hpp"

namespace edge_rt::kernels::scalar {

void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end);
/// The same product with x given in its quantised form `xq` (activation_form(w.dtype), as
/// matmul passes it): the reference of every quantised-activation kernel, for any block type.
/// Float weight types (or xq == nullptr) go to matmul_rows.
void matmul_rows_quantized(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                           std::size_t row_begin, std::size_t row_end);
/// One weight row of block type `dtype` (`cols` values) dotted with input `t` of `xq`
/// (Q8x32 or Q8x256 form, whichever the type takes): integer sums per sub-block, exact;
/// the scales combine in double.
double quantized_dot(DType dtype, const std::byte* wrow, std::size_t cols, const std::byte* xq, std::size_t t);
void rmsnorm(const float* x, const float* weight, std::size_t n, float eps, float* out);
void layernorm(const float* x, const float* weight, const float* bias, std::size_t n, float eps, float* out);
void rope(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t n_rot, std::size_t pos,
          float freq_base, RopePairing pairing);
void rope_factors(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t n_rot, std::size_t pos,
                  float freq_base, RopePairing pairing, const float* freq_factors);
void softmax(float* x, std::size_t n);
void silu_mul(float* gate, const float* up, std::size_t n);
void gelu(float* x, std::size_t n);
void add(float* y, const float* x, std::size_t n);
void attention(const AttentionArgs& args);
void embedding_row(const WeightView& table, std::size_t row, float* out);

/// sum a[i]*b[i], accumulated in double (each product of two floats is exact in double).
double dot(const float* a, const float* b, std::size_t n);

/// A table of the scalar kernels with `rows` (and `attn`) in their place: how every SIMD variant
/// is built, since the matrix products are where the time goes.
constexpr KernelTable table_with(const char* name, bool quantized_activations,
                                 decltype(KernelTable::matmul_rows) rows,
                                 decltype(KernelTable::attention) attn = attention)
{
    return KernelTable{
        .name = name,
        .quantized_activations = quantized_activations,
        .matmul_rows = rows,
        .quantize = quantize_activations,
        .quantize_k = quantize_activations_k,
        .rmsnorm = rmsnorm,
        .layernorm = layernorm,
        .rope = rope,
        .softmax = softmax,
        .silu_mul = silu_mul,
        .gelu = gelu,
        .add = add,
        .attention = attn,
        .embedding_row = embedding_row,
        .rope_factors = rope_factors,
    };
}

} // namespace edge_rt::kernels::scalar
