// Entry points of the x86-64 kernels, each compiled for its ISA (see the target pragmas).
#pragma once

#include "kernels/kernel_table.hpp"

namespace edge_rt::kernels::avx2 {
void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end);
} // namespace edge_rt::kernels::avx2

namespace edge_rt::kernels::avx512 {
void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end);
void attention(const AttentionArgs& args);
} // namespace edge_rt::kernels::avx512
