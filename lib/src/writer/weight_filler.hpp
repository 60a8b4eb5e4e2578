// Deterministic pseudo-random weights: each value is a hash of (seed, tensor name, element
// index), so any element can be made in any order (a Conv1D tensor is written transposed) and
// the same seed gives the same model in every format. Values are uniform with the variance of
// the usual initialisation (matrices 1/fan_in, norm gains 1 +- 0.1, biases 0.02), except where
// the residual stream needs balancing for generation not to degenerate at full depth: see
// matrix_sd() in weight_filler.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace edge_rt::model {

class WeightFiller {
public:
    /// `shape` in GGML order: shape[0] is the row length (a matrix's fan-in); `n_layer` is the
    /// depth of the model written (the projections into the residual stream scale with it).
    WeightFiller(std::uint64_t seed, std::string_view tensor_name, const std::vector<std::uint64_t>& shape,
                 std::uint32_t n_layer);

    /// The value at GGML linear index `index` (row * shape[0] + column).
    float at(std::uint64_t index) const
    {
        std::uint64_t z = key_ + (index + 1) * 0x9E3779B97F4A7C15ull; // splitmix64
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f); // [0, 1)
        return offset_ + (2.0f * u - 1.0f) * half_width_;
    }

    /// Row `row` of the GGML layout (shape[0] values).
    void row(std::uint64_t row, std::span<float> out) const;

private:
    std::uint64_t key_;
    std::uint64_t row_len_;
    float offset_ = 0.0f, half_width_ = 0.0f;
};

/// Appends `x` encoded as GGML type `dtype` (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K) to `out`.
void encode_row(std::uint32_t dtype, std::span<const float> x, std::vector<std::byte>& out);

} // namespace edge_rt::model
