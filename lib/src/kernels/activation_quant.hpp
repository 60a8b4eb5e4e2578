// Activations quantised to 8-bit blocks for the block-quantised matrix kernels: multiplying
// two int8 blocks is what NEON's sdot / vmull and AVX2's maddubs / AVX-512 VNNI do fast. One
// layout per form for every variant, so a table's prepare step and its kernels always agree.
//
// Two forms, chosen by the weight type (activation_form):
//  - Q8x32 (32-value blocks, below): Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL. Formats with a
//    min (Q4_1, Q5_1) use the block's d*sum(q) for the min's share.
//  - Q8x256 (256-value blocks, further below): the K-quants Q2_K..Q6_K and IQ4_XS, whose
//    sub-block scales span 16 or 32 values inside a 256-value super-block; the 16 sums of 16
//    q serve the formats with mins (Q2_K, Q4_K, Q5_K).
// A matmul input is quantised once per form that one of its weight matrices needs.
#pragma once

#include "core/dtype.hpp"

#include <cstddef>
#include <cstdint>

namespace edge_rt::kernels {

/// The activation form a weight type is multiplied with by tables that quantise activations.
enum class ActivationForm { Float, Q8x32, Q8x256 };

/// Float for F32/F16/BF16 (and types without kernels), Q8x32 or Q8x256 for block types.
ActivationForm activation_form(DType dtype);

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

// --- Q8x256 ---------------------------------------------------------------------------------
// Each block of 256 activations: x_i ~= d * q_i, with d and q as ggml's Q8_K makes them: m is
// the value of largest magnitude (the first one on ties), d = 1 / (-127/m) (so d < 0 when
// m > 0; m maps to q = -127), q = round-half-even(x * (-127/m)) clamped to at most 127.
// |x_i - d*q_i| <= |d|/2 up to float rounding, |d| = max|x| / 127. An all-zero block has
// d = 0 and q = 0. bsum[k] = sum of q[16k .. 16k+15] (exact, |bsum| <= 2032).
// One input's row of nb blocks is laid out as: int8 q[nb][256] | float d[nb] |
// int16 bsum[nb][16], rows one after the other (nb * kXkBlockBytes bytes each; every part
// stays 4-byte aligned when the buffer is).
inline constexpr std::size_t kXkBlockBytes = 256 + 4 + 32;

/// Bytes of the Q8x256 form of `n` rows of `cols` values (cols a multiple of 256).
inline std::size_t quantized_k_bytes(std::size_t cols, std::size_t n)
{
    return n * (cols / 256) * kXkBlockBytes;
}

/// Quantises rows [t_begin, t_end) of x ([n][cols], cols a multiple of 256) into `out`
/// (quantized_k_bytes(cols, n) bytes).
void quantize_activations_k(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end,
                            std::byte* out);

/// The parts of one Q8x256 row of `nb` blocks.
struct XkRow {
    const std::int8_t* q;      // [nb][256]
    const float* d;            // [nb]
    const std::int16_t* bsum;  // [nb][16]
};

inline XkRow xk_row(const std::byte* xk, std::size_t nb, std::size_t t)
{
    const std::byte* row = xk + t * nb * kXkBlockBytes;
    return {reinterpret_cast<const std::int8_t*>(row), reinterpret_cast<const float*>(row + nb * 256),
            reinterpret_cast<const std::int16_t*>(row + nb * 260)};
}

} // namespace edge_rt::kernels
