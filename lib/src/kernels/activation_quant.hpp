// Activations quantised to 8-bit blocks for the Q8_0/Q4_0 matrix kernels: multiplying two
// int8 blocks is what NEON's sdot / vmull and AVX2's maddubs do fast. One format for every
// variant, so a table's prepare step and its kernels always agree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edge_rt::kernels {

/// Each block of 32 activations: x_i ~= d * q_i with d = max|x| / 127 (a float, unlike Q8_0's
/// f16 scale, so the only error is the rounding of q: |x_i - d*q_i| <= d/2). One input's row
/// keeps its parts apart: all q bytes first (so neighbouring blocks are one wide load), then
/// every block's d, then every block's d * sum(q) (for kernels that shift q to unsigned).
inline constexpr std::size_t kXqBlockBytes = 40; // int8 q[32], float d, float d*sum(q)

/// Bytes of the quantised form of `n` rows of `cols` values (cols a multiple of 32).
inline std::size_t quantized_bytes(std::size_t cols, std::size_t n)
{
    return n * (cols / 32) * kXqBlockBytes;
}

/// Quantises rows [t_begin, t_end) of x ([n][cols], cols a multiple of 32) into `out`, laid
/// out as quantized_bytes(cols, n) bytes, row after row.
void quantize_activations(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out);

/// The parts of one quantised row of `nb` blocks.
struct XqRow {
    const std::int8_t* q;  // [nb][32]
    const float* d;        // [nb]
    const float* dsum;     // [nb] d * sum of the block's q
};

/// Row `t` of quantised activations of `nb` blocks per row.
inline XqRow xq_row(const std::byte* xq, std::size_t nb, std::size_t t)
{
    const std::byte* row = xq + t * nb * kXqBlockBytes;
    return {reinterpret_cast<const std::int8_t*>(row), reinterpret_cast<const float*>(row + nb * 32),
            reinterpret_cast<const float*>(row + nb * 36)};
}

} // namespace edge_rt::kernels
