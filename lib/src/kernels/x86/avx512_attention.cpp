// AVX-512 attention of one query position: scores and the weighted sum of values in float
// vectors of 16 (the scalar reference sums in double). Prefill runs it n_tokens x n_head times
// per layer over up to n_ctx cached rows, so it is the O(n^2) part of a long prompt.
#include "kernels/scalar/scalar.hpp"
#include "kernels/x86/x86_kernels.hpp"

#include <cmath>
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,avx512f")

namespace edge_rt::kernels::avx512 {
namespace {

float dot(const float* a, const float* b, std::size_t n)
{
    __m512 acc = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

// out[0..n) = sum_j p[j] * v[j*stride + 0..n), 16 columns at a time, positions in order.
void weighted_sum(const float* p, const float* v, std::size_t n_kv, std::size_t stride, std::size_t n, float* out)
{
    for (std::size_t d = 0; d < n; d += 16) {
        const __mmask16 m = n - d >= 16 ? __mmask16{0xffff} : static_cast<__mmask16>((1u << (n - d)) - 1);
        __m512 acc = _mm512_setzero_ps();
        for (std::size_t j = 0; j < n_kv; ++j)
            acc = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), _mm512_maskz_loadu_ps(m, v + j * stride + d), acc);
        _mm512_mask_storeu_ps(out + d, m, acc);
    }
}

} // namespace

void attention(const AttentionArgs& a)
{
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(a.head_dim)));
    const std::size_t group = a.n_head / a.n_head_kv;
    for (std::size_t h = 0; h < a.n_head; ++h) {
        const float* q = a.q + h * a.head_dim;
        const std::size_t kv_offset = (h / group) * a.head_dim;
        for (std::size_t j = 0; j < a.n_kv; ++j)
            a.scores[j] = dot(q, a.k + j * a.kv_stride + kv_offset, a.head_dim) * scale;
        scalar::softmax(a.scores, a.n_kv);
        weighted_sum(a.scores, a.v + kv_offset, a.n_kv, a.kv_stride, a.head_dim, a.out + h * a.head_dim);
    }
}

} // namespace edge_rt::kernels::avx512

#pragma GCC diagnostic pop
#pragma GCC pop_options
