// Rotary position embedding. Angles and rotations in double: the reference must not drift
// at long positions where float angles lose digits.
#include "kernels/scalar/scalar.hpp"

#include <cmath>

namespace edge_rt::kernels::scalar {

void rope_factors(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t n_rot, std::size_t pos,
                  float freq_base, RopePairing pairing, const float* freq_factors)
{
    const std::size_t n_pairs = n_rot / 2;
    for (std::size_t i = 0; i < n_pairs; ++i) {
        double freq = std::pow(static_cast<double>(freq_base), -2.0 * static_cast<double>(i) / static_cast<double>(n_rot));
        if (freq_factors != nullptr)
            freq /= static_cast<double>(freq_factors[i]);
        const double angle = static_cast<double>(pos) * freq;
        const double c = std::cos(angle);
        const double s = std::sin(angle);
        // Pair i is (2i, 2i+1) interleaved, or (i, i + n_rot/2) for halves; dimensions from
        // n_rot to head_dim pass through (partial rotary).
        const std::size_t a = pairing == RopePairing::Interleaved ? 2 * i : i;
        const std::size_t b = pairing == RopePairing::Interleaved ? 2 * i + 1 : i + n_pairs;
        for (std::size_t h = 0; h < n_heads; ++h) {
            float* head = x + h * head_dim;
            const double x0 = head[a];
            const double x1 = head[b];
            head[a] = static_cast<float>(x0 * c - x1 * s);
            head[b] = static_cast<float>(x0 * s + x1 * c);
        }
    }
}

void rope(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t n_rot, std::size_t pos,
          float freq_base, RopePairing pairing)
{
    rope_factors(x, n_heads, head_dim, n_rot, pos, freq_base, pairing, nullptr);
}

} // namespace edge_rt::kernels::scalar
