// Matrix products through a kernel table: quantise the activations once (when the table
// multiplies Q8_0/Q4_0 weights with Q8 activations), then split the weight rows across threads.
#pragma once

#include "kernels/kernel_table.hpp"
#include "kernels/parallel.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace edge_rt::kernels {

/// Rows per task are a multiple of this, so every variant's row tiles (at most 8 rows) line up
/// the same way whatever the thread count.
inline constexpr std::size_t kRowGrain = 16;

/// y = W x for `n` inputs: x is [n][w.cols], y is [n][w.rows]. `scratch` holds the quantised
/// activations between calls (grown as needed).
void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y,
            std::vector<std::byte>& scratch, const Parallel& parallel = serial());

/// One product of a shared-input call: y = W x.
struct MatmulTarget {
    const WeightView* w;
    float* y;
};

/// y_i = W_i x for matrices that share their input (Llama's q/k/v, gate/up; equal cols): x is
/// quantised once and every matrix's row tasks go to the threads in one round, so a token
/// pays one hand-off instead of one per matrix. Each y_i is what matmul() would give.
void matmul_shared_input(const KernelTable& k, std::span<const MatmulTarget> targets, const float* x, std::size_t n,
                         std::vector<std::byte>& scratch, const Parallel& parallel = serial());

/// The same with its own scratch, for tests and one-off calls.
void matmul(const KernelTable& k, const WeightView& w, const float* x, std::size_t n, float* y);

/// Bytes of scratch matmul needs for `n` inputs of `cols` values.
std::size_t matmul_scratch_bytes(std::size_t cols, std::size_t n);

} // namespace edge_rt::kernels
