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

ActivationForm activation_form(DType dtype)
{
    switch (dtype) {
    case DType::Q8_0:
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q5_0:
    case DType::Q5_1:
    case DType::IQ4_NL: return ActivationForm::Q8x32;
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K:
    case DType::IQ4_XS: return ActivationForm::Q8x256;
    default: return ActivationForm::Float;
    }
}

void quantize_activations_k(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end,
                            std::byte* out)
{
    const std::size_t nb = cols / 256;
    for (std::size_t t = t_begin; t < t_end; ++t) {
        std::byte* row = out + t * nb * kXkBlockBytes;
        for (std::size_t b = 0; b < nb; ++b) {
            const float* v = x + t * cols + b * 256;
            float amax = 0.0f, m = 0.0f;
            for (std::size_t i = 0; i < 256; ++i)
                if (std::fabs(v[i]) > amax) {
                    amax = std::fabs(v[i]);
                    m = v[i];
                }
            std::int8_t q[256] = {};
            std::int16_t bsum[16] = {};
            float d = 0.0f;
            if (amax > 0.0f) {
                const float iscale = -127.0f / m;
                for (std::size_t i = 0; i < 256; ++i) {
                    const float r = std::min(127.0f, std::nearbyint(iscale * v[i]));
                    q[i] = static_cast<std::int8_t>(r);
                    bsum[i / 16] = static_cast<std::int16_t>(bsum[i / 16] + q[i]);
                }
                d = 1.0f / iscale;
            }
            std::memcpy(row + b * 256, q, 256);
            std::memcpy(row + nb * 256 + b * 4, &d, 4);
            std::memcpy(row + nb * 260 + b * 32, bsum, 32);
        }
    }
}

} // namespace edge_rt::kernels
