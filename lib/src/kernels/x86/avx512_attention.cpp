// AVX-512 attention of one query position: float vectors of 16 (the scalar reference sums in
// double). Prefill runs it n_tokens x n_head times per layer over up to n_ctx cached rows, so
// it is the O(n^2) part of a long prompt: scores go 16 keys at a time (one float FMA chain per
// key, then one shuffle tree that sums all 16 at once), the softmax uses exp16, and the
// weighted sum keeps up to 64 output columns in registers while it walks the positions.
#include "kernels/x86/x86_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <immintrin.h>

// clang has no GCC target pragma: it applies the same target attribute to every function.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,avx512f")
#endif
#include "kernels/x86/avx512_exp.hpp"

namespace edge_rt::kernels::avx512 {
namespace {

// Lane sums of a[0..15] into lanes 0..15 of one register: pairs of registers are added with
// their lanes interleaved until each lane holds one input's whole sum.
__m512 sum16(const __m512 (&a)[16])
{
    __m512 t[8], u[4], v[2];
    for (int p = 0; p < 8; ++p) // per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3]
        t[p] = _mm512_add_ps(_mm512_unpacklo_ps(a[2 * p], a[2 * p + 1]), _mm512_unpackhi_ps(a[2 * p], a[2 * p + 1]));
    for (int p = 0; p < 4; ++p) { // per 128-bit lane: the lane sums of four inputs
        const __m512d x = _mm512_castps_pd(t[2 * p]), y = _mm512_castps_pd(t[2 * p + 1]);
        u[p] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    for (int p = 0; p < 2; ++p) // 128-bit lanes 0+1 and 2+3 of each of two
        v[p] = _mm512_add_ps(_mm512_shuffle_f32x4(u[2 * p], u[2 * p + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_f32x4(u[2 * p], u[2 * p + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_add_ps(_mm512_shuffle_f32x4(v[0], v[1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(v[0], v[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

// scores[j] = scale * q . k_j for j in [0, n_kv); k rows `stride` floats apart.
void scores(const float* q, const float* k, std::size_t stride, std::size_t n_kv, std::size_t hd, float scale,
            float* out)
{
    std::size_t j = 0;
    for (; j + 16 <= n_kv; j += 16) {
        __m512 acc[16];
        for (int i = 0; i < 16; ++i)
            acc[i] = _mm512_setzero_ps();
        for (std::size_t d = 0; d < hd; d += 16) {
            const __mmask16 m = first_lanes(hd - d);
            const __m512 qv = _mm512_maskz_loadu_ps(m, q + d);
            for (int i = 0; i < 16; ++i)
                acc[i] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, k + (j + i) * stride + d), acc[i]);
        }
        _mm512_storeu_ps(out + j, _mm512_mul_ps(sum16(acc), _mm512_set1_ps(scale)));
    }
    for (; j < n_kv; ++j) {
        __m512 acc = _mm512_setzero_ps();
        for (std::size_t d = 0; d < hd; d += 16) {
            const __mmask16 m = first_lanes(hd - d);
            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + d), _mm512_maskz_loadu_ps(m, k + j * stride + d), acc);
        }
        out[j] = _mm512_reduce_add_ps(acc) * scale;
    }
}

// out[0..hd) = sum_j p[j] * v[j*stride + 0..hd), 64 columns at a time, positions in order.
void weighted_sum(const float* p, const float* v, std::size_t n_kv, std::size_t stride, std::size_t hd, float* out)
{
    for (std::size_t d0 = 0; d0 < hd; d0 += 64) {
        __mmask16 m[4];
        for (int c = 0; c < 4; ++c)
            m[c] = d0 + 16 * c < hd ? first_lanes(hd - d0 - 16 * c) : __mmask16{0};
        __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (std::size_t j = 0; j < n_kv; ++j) {
            const __m512 pj = _mm512_set1_ps(p[j]);
            const float* row = v + j * stride + d0;
            for (int c = 0; c < 4; ++c)
                acc[c] = _mm512_fmadd_ps(pj, _mm512_maskz_loadu_ps(m[c], row + 16 * c), acc[c]);
        }
        for (int c = 0; c < 4; ++c)
            _mm512_mask_storeu_ps(out + d0 + 16 * c, m[c], acc[c]);
    }
}

} // namespace

void attention(const AttentionArgs& a)
{
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(a.head_dim)));
    const std::size_t group = a.n_head / a.n_head_kv;
    for (std::size_t h = 0; h < a.n_head; ++h) {
        const std::size_t kv_offset = (h / group) * a.head_dim;
        scores(a.q + h * a.head_dim, a.k + kv_offset, a.kv_stride, a.n_kv, a.head_dim, scale, a.scores);
        softmax(a.scores, a.n_kv);
        weighted_sum(a.scores, a.v + kv_offset, a.n_kv, a.kv_stride, a.head_dim, a.out + h * a.head_dim);
    }
}

} // namespace edge_rt::kernels::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif
