// Matrix products through a kernel table: quantise the activations once (when the table
// multiplies Q8_0/Q4_0 weights with Q8 activations), then split the weight rows across threads.
#pragma once

#include "kernels/kernel_table.hpp"
#include "kernels/parallel.hpp"

#include <cstddef>
#include <vector>

namespace edge_rt::kernels {

/// Rows per task are a multiple of this, so every variant's row tiles (at most 8 rows) line up
/// the same way whatever the thread count.
inline constexpr std::size_t kRowGrain = 16;

/// y = W x for `n` inputs: x is [n][w.cols], y is [n][w.rows]. `scratch` holds the quantised
/// activations between calls (grown as needed).
void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y,
            std::vector<std::byte>& scratch, const Parallel& parallel = serial());

/// The same with its own scratch, for tests and one-off calls.
void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y);

/// Bytes of scratch matmul needs for `n` inputs of `cols` values.
std::size_t matmul_scratch_bytes(std::size_t cols, std::size_t n);

} // namespace edge_rt::kernels
