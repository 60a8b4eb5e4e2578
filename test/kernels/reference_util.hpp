// Helpers for the kernel tests: reproducible random inputs, weights encoded in every type,
// and an independent decoder written from the format definitions (not from the library).
#pragma once

#include "core/dtype.hpp"
#include "kernels/weight_view.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace edge_rt::test {

/// `n` values uniform in [lo, hi), from a generator seeded by the caller.
std::vector<float> random_floats(std::mt19937& rng, std::size_t n, float lo = -1.0f, float hi = 1.0f);

/// `rows` x `cols` values encoded as `dtype` (F32 raw, F16/BF16 rounded, Q8_0/Q4_0 quantised).
std::vector<std::byte> encode_rows(DType dtype, const std::vector<float>& values, std::size_t cols);

/// Decodes `n` values of `dtype` by the format definitions, in double.
std::vector<double> decode_by_definition(DType dtype, const std::byte* data, std::size_t n);

/// A matrix in one weight type with its exact decoded values, for reference computations.
struct TestMatrix {
    std::vector<std::byte> bytes;
    std::vector<double> values; // decoded by definition, row-major [rows][cols]
    kernels::WeightView view;
};
TestMatrix make_matrix(std::mt19937& rng, DType dtype, std::size_t rows, std::size_t cols);

inline constexpr DType kAllWeightTypes[] = {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0};

} // namespace edge_rt::test
