// Entry points of the aarch64 kernels (neon_matmul*.cpp, neon_attention.cpp).
#pragma once

#include "kernels/kernel_table.hpp"

namespace edge_rt::kernels::neon {
/// ASIMD only (Cortex-A72).
void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end);
/// With sdot; call only when HWCAP_ASIMDDP is set (Cortex-A76).
void matmul_rows_dotprod(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                         std::size_t row_begin, std::size_t row_end);
/// Attention of one position in float (both CPUs: no dot-product instruction involved).
void attention(const AttentionArgs& args);
} // namespace edge_rt::kernels::neon
