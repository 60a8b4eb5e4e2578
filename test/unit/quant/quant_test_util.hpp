// Helpers of the quantiser tests: decode any type to floats with our dequantisers, read a GGUF
// tensor's floats, RMSE.
#pragma once

#include "core/dtype.hpp"
#include "model/gguf.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace edge_rt::test {

/// Bytes of `n` values of `t`.
std::size_t type_bytes(DType t, std::size_t n);

/// Decodes `n` values of type `t` (F32/F16/BF16 or any block type) with block_dequant / quant.hpp.
std::vector<float> decode(DType t, std::span<const std::byte> bytes, std::size_t n);

/// The raw bytes of a tensor of a parsed GGUF file.
std::vector<std::byte> tensor_bytes(const model::GgufFile& f, const model::GgufTensorInfo& t);

double rmse(std::span<const float> a, std::span<const float> b);

} // namespace edge_rt::test
