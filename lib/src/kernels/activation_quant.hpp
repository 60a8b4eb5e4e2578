// Activations quantised to 8-bit blocks for the Q8_0/Q4_0 matrix kernels: multiplying two
// int8 blocks is what NEON's sdot / vmull and AVX2's maddubs do fast. One format for every
// variant, so a table's prepare step and its kernels always agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace edge_rt::kernels {

/// One block of 32 activations: x_i ~= d * q_i with d = max|x| / 127 (a float, unlike Q8_0's
/// f16 scale, so the only error is the rounding of q: |x_i - d*q_i| <= d/2), plus sum = sum q_i
/// for kernels that shift q to unsigned.
inline constexpr std::size_t kXqBlockBytes = 40;   // float d, int32 sum, int8 q[32]
inline constexpr std::size_t kXqQuantOffset = 8;   // q starts here in a block

/// Bytes of the quantised form of `n` rows of `cols` values (cols a multiple of 32).
inline std::size_t quantized_bytes(std::size_t cols, std::size_t n)
{
    return n * (cols / 32) * kXqBlockBytes;
}

/// Quantises rows [t_begin, t_end) of x ([n][cols], cols a multiple of 32) into `out`, laid
/// out as quantized_bytes(cols, n) bytes of blocks, row after row.
void quantize_activations(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out);

/// Reads the scale and sum of a block (blocks are only 4-byte aligned).
inline float xq_scale(const std::byte* block)
{
    float d;
    std::memcpy(&d, block, 4);
    return d;
}
inline std::int32_t xq_sum(const std::byte* block)
{
    std::int32_t s;
    std::memcpy(&s, block + 4, 4);
    return s;
}

} // namespace edge_rt::kernels
