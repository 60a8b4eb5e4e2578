// Decoding the block formats of block_formats.hpp (and Q8_0/Q4_0 via quant.hpp) to floats.
#pragma once

#include "core/dtype.hpp"

#include <cstddef>
#include <span>

namespace edge_rt {

/// Decodes `n_blocks` blocks of `dtype` (a block-quantised type other than Q8_0/Q4_0: Q4_1,
/// Q5_0, Q5_1, IQ4_NL, Q2_K..Q6_K, IQ4_XS) from `in` into n_blocks * block_elems floats.
/// Each value is computed as ggml's dequantisation computes it (scale products in float, in
/// the same order), so a model decodes to the same floats. Returns false for other types.
bool dequantize_blocks(DType dtype, const std::byte* in, float* out, std::size_t n_blocks);

/// Decodes `out.size()` values of any type we store (F32, F16, BF16, Q8_0, Q4_0 and the
/// types above) from `in`. Returns false for a type without a decoder; `in` must hold exactly
/// the values' bytes.
bool dequantize_any(DType dtype, std::span<const std::byte> in, std::span<float> out);

} // namespace edge_rt
