// Scaled RoPE as per-pair frequency factors (ModelConfig::rope_freq_factors): the angle of
// pair i is divided by factor i. Llama 3's scheme and linear scaling both reduce to this.
#pragma once

#include <cstdint>
#include <vector>

namespace edge_rt::model {

struct Llama3RopeScaling {
    double factor = 8.0;
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
    double original_context = 8192.0; // original_max_position_embeddings
};

/// Llama 3's factors for `n_rot` rotated dimensions and base `freq_base` (the formula of
/// Meta's reference code and transformers' rope_type "llama3"): 1 for wavelengths shorter than
/// original_context / high_freq_factor, `factor` for those longer than original_context /
/// low_freq_factor, and a smooth blend between.
std::vector<float> llama3_rope_factors(const Llama3RopeScaling& s, double freq_base, std::uint32_t n_rot);

/// Linear scaling (position interpolation): every pair's angle divided by `factor`.
std::vector<float> linear_rope_factors(double factor, std::uint32_t n_rot);

} // namespace edge_rt::model
