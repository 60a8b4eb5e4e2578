// Writing Q4_K and Q6_K super-blocks (layouts in block_formats.hpp): the types of llama.cpp's
// Q4_K_M mix, for gen-model and the quantize subcommand. A plain min/max quantiser, not
// llama.cpp's search for the best scales: every value is within its sub-block's rounding
// bound (documented per function), which tests check.
#pragma once

#include <cstddef>
#include <span>

namespace edge_rt {

/// Quantises `x` (a multiple of 256 values) into Q4_K blocks (144 bytes each). Per 32-value
/// sub-block j: the range [min(0, x), max(x)] becomes scale s_j = range/15 and min m_j =
/// -min(0, x); d = max s_j / 63 and dmin = max m_j / 63 (f16); the 6-bit ls_j = round(s_j/d),
/// lm_j = round(m_j/dmin); q = round((x + dmin*lm_j) / (d*ls_j)) in 0..15. So |x - x̂| <=
/// d*ls_j/2 plus the range lost to rounding ls_j and lm_j (<= 7.5*d + dmin/2).
/// Throws std::invalid_argument when the sizes do not match.
void quantize_row_q4_k(std::span<const float> x, std::span<std::byte> out);

/// Quantises `x` into Q6_K blocks (210 bytes each). Per 16-value sub-block j: s_j = max|x|/31;
/// d = max s_j / 127 (f16); int8 ls_j = round(s_j/d); q = round(x / (d*ls_j)) in -32..31. So
/// |x - x̂| <= d*ls_j/2 + 31*|d*ls_j - s_j| <= d*ls_j/2 + 15.5*d.
void quantize_row_q6_k(std::span<const float> x, std::span<std::byte> out);

} // namespace edge_rt
