// Decoding rows of any supported weight type into floats: the one place that knows every
// element format, shared by the matrix kernels and the embedding lookup.
#pragma once

#include "kernels/weight_view.hpp"

#include <span>

namespace edge_rt::kernels {

/// Decodes `out.size()` values of type `dtype` starting at `in` (a whole number of blocks).
/// F16/BF16 values and d*q of a Q8_0/Q4_0 block (an 11-bit by 8-bit product) decode exactly;
/// the other block types decode as ggml does (block_dequant.hpp), scale products in float.
void dequantize_row(DType dtype, const std::byte* in, std::span<float> out);

} // namespace edge_rt::kernels
