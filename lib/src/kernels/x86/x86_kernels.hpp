// Entry points of the x86-64 kernels, each compiled for its ISA (see the target pragmas).
#pragma once

#include "kernels/kernel_table.hpp"

namespace edge_rt::kernels::avx2 {
void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end);
/// Rows of a Q8x256 matrix (Q2_K..Q6_K, IQ4_XS) times Q8x256 activations; false for other types.
bool kquant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t row_begin,
                 std::size_t row_end);
} // namespace edge_rt::kernels::avx2

namespace edge_rt::kernels::avx512 {
void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end);
void attention(const AttentionArgs& args);
/// Rows of a Q8x256 matrix (Q2_K..Q6_K, IQ4_XS) times Q8x256 activations; false for other types.
bool kquant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t row_begin,
                 std::size_t row_end);
void quantize_activations(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out);
void softmax(float* x, std::size_t n);
void silu_mul(float* gate, const float* up, std::size_t n);
} // namespace edge_rt::kernels::avx512
