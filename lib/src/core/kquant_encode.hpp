// Writing K-quant super-blocks (layouts in block_formats.hpp) from floats: Q2_K, Q3_K, Q4_K,
// Q5_K and Q6_K, for the quantize subcommand and gen-model. The codes come from
// kquant_fit.hpp's least-squares search; this file only lays them out in the format's bytes.
#pragma once

#include <cstddef>
#include <span>

namespace edge_rt {

/// Each quantises `x` (a multiple of 256 values) into blocks of the type (Q2_K 84 bytes,
/// Q3_K 110, Q4_K 144, Q5_K 176, Q6_K 210 per 256 values). Every value is rounded to the
/// nearest code of its sub-block's decoded scale and min (or clamped to the end codes), so
/// |x - x̂| <= half a step for values inside the sub-block's range.
/// Throw std::invalid_argument when the sizes do not match.
void quantize_row_q2_k(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q3_k(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q4_k(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q5_k(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q6_k(std::span<const float> x, std::span<std::byte> out);

} // namespace edge_rt
