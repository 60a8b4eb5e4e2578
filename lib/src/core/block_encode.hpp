// Quantising rows of floats into any type the quantize subcommand writes: the 32-value block
// formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL), the K-quants (kquant_encode.hpp) and the
// float types F32/F16/BF16.
#pragma once

#include "core/dtype.hpp"

#include <cstddef>
#include <span>

namespace edge_rt {

/// True when quantize_row can write `dtype`.
bool can_quantize(DType dtype);

/// Writes `x` (a whole number of the type's blocks) as `dtype` into `out` (exactly its size).
/// Throws std::invalid_argument for a size mismatch or a type can_quantize refuses.
void quantize_row(DType dtype, std::span<const float> x, std::span<std::byte> out);

/// Each quantises `x` (a multiple of 32 values) into the 32-value format (layouts in
/// block_formats.hpp / quant.hpp) with a least-squares scale search.
void quantize_row_q4_0_fit(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q4_1(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q5_0(std::span<const float> x, std::span<std::byte> out);
void quantize_row_q5_1(std::span<const float> x, std::span<std::byte> out);
void quantize_row_iq4_nl(std::span<const float> x, std::span<std::byte> out);

} // namespace edge_rt
