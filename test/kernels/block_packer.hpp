// Test-side encoders for GGML's block formats, written from the format definitions
// (ggml-common.h's block layouts) and independent of the library's decoders: a block is
// described by its integer codes and scales, packed into bytes, and its exact values follow
// from those integers in double.
#pragma once

#include "core/dtype.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace edge_rt::test {

/// One block in integer terms: value i = d * scale[s] * q[i] - dmin * min[s], with s the
/// sub-block of element i. For 32-value formats there is one sub-block (scale 1), and a min
/// term m (Q4_1/Q5_1, x = d*q + m) is dmin = -m, min = 1. For IQ4 types q is the grid index
/// (value: the grid entry), for Q3_K and Q6_K the signed code.
struct BlockSpec {
    float d = 0.0f, dmin = 0.0f; // f16-representable
    std::vector<int> scale, min; // per sub-block; for Q3_K/IQ4_XS the stored 6-bit value (0..63)
    std::vector<int> q;          // per element
};

/// The block's bytes.
std::vector<std::byte> pack_block(DType t, const BlockSpec& b);

/// The exact value of each element, in double.
std::vector<double> block_values(DType t, const BlockSpec& b);

/// A random valid block: codes, scales and mins over their full ranges, d and dmin f16 values
/// of magnitude ~ `scale` (dmin 0 for formats without mins).
BlockSpec random_block(DType t, std::mt19937& rng, float scale);

/// Elements per block and sub-blocks per block of type t.
std::size_t block_elems(DType t);
std::size_t sub_blocks(DType t);

/// The IQ4_NL / IQ4_XS grid, from the format definition.
extern const int kIq4Values[16];

} // namespace edge_rt::test
