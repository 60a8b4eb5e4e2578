#include "kernels/activation_quant.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edge_rt::kernels {

void quantize_activations(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out)
{
    const std::size_t nb = cols / 32;
    for (std::size_t t = t_begin; t < t_end; ++t) {
        std::byte* row = out + t * nb * kXqBlockBytes;
        for (std::size_t b = 0; b < nb; ++b) {
            const float* v = x + t * cols + b * 32;
            float amax = 0.0f;
            for (std::size_t i = 0; i < 32; ++i)
                amax = std::max(amax, std::fabs(v[i]));
            const float d = amax / 127.0f;
            const float inv = d > 0.0f ? 1.0f / d : 0.0f;
            std::int8_t q[32];
            std::int32_t sum = 0;
            for (std::size_t i = 0; i < 32; ++i) {
                // |v*inv| <= 127 up to one rounding of inv; the clamp keeps q in int8.
                const float r = std::nearbyint(std::clamp(v[i] * inv, -127.0f, 127.0f));
                q[i] = static_cast<std::int8_t>(r);
                sum += q[i];
            }
            const float dsum = d * static_cast<float>(sum);
            std::memcpy(row + b * 32, q, 32);
            std::memcpy(row + nb * 32 + b * 4, &d, 4);
            std::memcpy(row + nb * 36 + b * 4, &dsum, 4);
        }
    }
}

} // namespace edge_rt::kernels
