#include "model/rope_scaling.hpp"

#include <cmath>
#include <numbers>

namespace edge_rt::model {

std::vector<float> llama3_rope_factors(const Llama3RopeScaling& s, double freq_base, std::uint32_t n_rot)
{
    const double low_freq_wavelen = s.original_context / s.low_freq_factor;
    const double high_freq_wavelen = s.original_context / s.high_freq_factor;
    std::vector<float> factors;
    for (std::uint32_t i = 0; i < n_rot / 2; ++i) {
        const double freq = std::pow(freq_base, -2.0 * i / n_rot);
        const double wavelen = 2.0 * std::numbers::pi / freq;
        double f = 1.0;
        if (wavelen > low_freq_wavelen) {
            f = s.factor;
        } else if (wavelen >= high_freq_wavelen) {
            const double smooth =
                (s.original_context / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
            f = 1.0 / ((1.0 - smooth) / s.factor + smooth);
        }
        factors.push_back(static_cast<float>(f));
    }
    return factors;
}

std::vector<float> linear_rope_factors(double factor, std::uint32_t n_rot)
{
    return std::vector<float>(n_rot / 2, static_cast<float>(factor));
}

} // namespace edge_rt::model
