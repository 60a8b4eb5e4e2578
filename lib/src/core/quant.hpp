// GGML's Q8_0 and Q4_0 block formats: quantise and dequantise rows of floats.
// Both group 32 values under one f16 scale d. The byte layout is the file format's, so
// blocks are read and written byte by byte (no struct casts: GGUF data is only 2-byte aligned
// per block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace edge_rt {

inline constexpr std::size_t kQuantBlockElems = 32;
inline constexpr std::size_t kQ8_0BlockBytes = 2 + 32; // f16 d, 32 x int8 q;     x = d*q
inline constexpr std::size_t kQ4_0BlockBytes = 2 + 16; // f16 d, 16 bytes nibbles; x = d*(q-8)

/// Quantises `x` (a multiple of 32 values) into Q8_0 blocks: per block d = amax/127 and
/// q = round(x/d), as ggml does. `out` holds x.size()/32 * 34 bytes. Throws std::invalid_argument
/// for sizes that do not match.
void quantize_row_q8_0(std::span<const float> x, std::span<std::byte> out);

/// Quantises `x` into Q4_0 blocks: per block d = m/-8 where m is the value of largest
/// magnitude (sign kept), q = min(15, floor(x/d + 8.5)), as ggml does. Elements 0-15 go to the
/// low nibbles of the 16 bytes, elements 16-31 to the high nibbles.
void quantize_row_q4_0(std::span<const float> x, std::span<std::byte> out);

/// Decodes Q8_0 blocks (`in` holds out.size()/32 blocks) into floats.
void dequantize_row_q8_0(std::span<const std::byte> in, std::span<float> out);

/// Decodes Q4_0 blocks into floats.
void dequantize_row_q4_0(std::span<const std::byte> in, std::span<float> out);

} // namespace edge_rt
