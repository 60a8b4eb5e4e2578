// AVX-512 element-wise kernels that prefill runs over every token: the 8-bit quantisation of
// matmul inputs (bit-identical to the portable one: the same float operations per value),
// softmax and SwiGLU (float arithmetic with exp16 instead of the reference's double exp).
#include "kernels/activation_quant.hpp"
#include "kernels/x86/x86_kernels.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>

// clang has no GCC target pragma: it applies the same target attribute to every function.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")
#endif
#include "kernels/x86/avx512_exp.hpp"

namespace edge_rt::kernels::avx512 {

void quantize_activations(const float* x, std::size_t cols, std::size_t t_begin, std::size_t t_end, std::byte* out)
{
    const std::size_t nb = cols / 32;
    const __m512 lim = _mm512_set1_ps(127.0f);
    for (std::size_t t = t_begin; t < t_end; ++t) {
        std::byte* row = out + t * nb * kXqBlockBytes;
        for (std::size_t b = 0; b < nb; ++b) {
            const float* v = x + t * cols + b * 32;
            const __m512 v0 = _mm512_loadu_ps(v), v1 = _mm512_loadu_ps(v + 16);
            const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
            const float d = amax / 127.0f;
            const __m512 inv = _mm512_set1_ps(d > 0.0f ? 1.0f / d : 0.0f);
            // The portable order: product, clamp to +-127, round to nearest even.
            const auto quant = [&](__m512 vv) {
                const __m512 c = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(vv, inv), _mm512_sub_ps(_mm512_setzero_ps(), lim)), lim);
                return _mm512_cvtps_epi32(_mm512_roundscale_ps(c, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            };
            const __m512i q0 = quant(v0), q1 = quant(v1);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(row + b * 32), _mm512_cvtepi32_epi8(q0));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(row + b * 32 + 16), _mm512_cvtepi32_epi8(q1));
            const float dsum = d * static_cast<float>(_mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1)));
            std::memcpy(row + nb * 32 + b * 4, &d, 4);
            std::memcpy(row + nb * 36 + b * 4, &dsum, 4);
        }
    }
}

void softmax(float* x, std::size_t n)
{
    if (n == 0)
        return;
    __m512 vmax = _mm512_set1_ps(-INFINITY);
    for (std::size_t i = 0; i < n; i += 16)
        vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(vmax, first_lanes(n - i), x + i));
    const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
    __m512 sum = _mm512_setzero_ps();
    for (std::size_t i = 0; i < n; i += 16) {
        const __mmask16 m = first_lanes(n - i);
        const __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), max));
        sum = _mm512_add_ps(sum, _mm512_maskz_mov_ps(m, e));
        _mm512_mask_storeu_ps(x + i, m, e);
    }
    const __m512 total = _mm512_set1_ps(_mm512_reduce_add_ps(sum));
    for (std::size_t i = 0; i < n; i += 16) {
        const __mmask16 m = first_lanes(n - i);
        _mm512_mask_storeu_ps(x + i, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), total));
    }
}

void silu_mul(float* gate, const float* up, std::size_t n)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    for (std::size_t i = 0; i < n; i += 16) {
        const __mmask16 m = first_lanes(n - i);
        const __m512 g = _mm512_maskz_loadu_ps(m, gate + i);
        const __m512 silu = _mm512_div_ps(g, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), g))));
        _mm512_mask_storeu_ps(gate + i, m, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(m, up + i)));
    }
}

} // namespace edge_rt::kernels::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif
