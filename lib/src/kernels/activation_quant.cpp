#include "kernels/activation_quant.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edge_rt::kernels {

void quantize_activations(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out)
{
    const std::size_t nb = cols / 32;
    for (std::size_t t = t_begin; t < t_end; ++t) {
        for (std::size_t b = 0; b < nb; ++b) {
            const float* v = x + t * cols + b * 32;
            std::byte* block = out + (t * nb + b) * kXqBlockBytes;
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
            std::memcpy(block, &d, 4);
            std::memcpy(block + 4, &sum, 4);
            std::memcpy(block + kXqQuantOffset, q, 32);
        }
    }
}

} // namespace edge_rt::kernels
