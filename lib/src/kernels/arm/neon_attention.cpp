// NEON attention of one query position, in float (the scalar reference sums in double, which
// the Cortex-A72 does one lane at a time). At long contexts a decode token spends a real share
// of its time here: every layer reads n_kv cached keys and values per KV head. Scores are
// four-lane dot products over the head; the weighted sum keeps 16 output columns in registers
// while it walks the positions in order. The softmax is the scalar one (n_kv values per head).
#include "kernels/arm/neon_kernels.hpp"
#include "kernels/scalar/scalar.hpp"

#include <arm_neon.h>
#include <cmath>

namespace edge_rt::kernels::neon {
namespace {

float dot(const float* a, const float* b, std::size_t n)
{
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    std::size_t d = 0;
    for (; d + 8 <= n; d += 8) {
        acc0 = vfmaq_f32(acc0, vld1q_f32(a + d), vld1q_f32(b + d));
        acc1 = vfmaq_f32(acc1, vld1q_f32(a + d + 4), vld1q_f32(b + d + 4));
    }
    if (d + 4 <= n) {
        acc0 = vfmaq_f32(acc0, vld1q_f32(a + d), vld1q_f32(b + d));
        d += 4;
    }
    float s = vaddvq_f32(vaddq_f32(acc0, acc1));
    for (; d < n; ++d)
        s = std::fma(a[d], b[d], s);
    return s;
}

// out[0..hd) = sum_j p[j] * v[j*stride + 0..hd), positions in order for every column.
void weighted_sum(const float* p, const float* v, std::size_t n_kv, std::size_t stride, std::size_t hd, float* out)
{
    std::size_t d0 = 0;
    for (; d0 + 16 <= hd; d0 += 16) {
        float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
        for (std::size_t j = 0; j < n_kv; ++j) {
            const float* row = v + j * stride + d0;
            for (int c = 0; c < 4; ++c)
                acc[c] = vfmaq_n_f32(acc[c], vld1q_f32(row + 4 * c), p[j]);
        }
        for (int c = 0; c < 4; ++c)
            vst1q_f32(out + d0 + 4 * c, acc[c]);
    }
    for (; d0 + 4 <= hd; d0 += 4) {
        float32x4_t acc = vdupq_n_f32(0.0f);
        for (std::size_t j = 0; j < n_kv; ++j)
            acc = vfmaq_n_f32(acc, vld1q_f32(v + j * stride + d0), p[j]);
        vst1q_f32(out + d0, acc);
    }
    for (; d0 < hd; ++d0) {
        float s = 0.0f;
        for (std::size_t j = 0; j < n_kv; ++j)
            s = std::fma(p[j], v[j * stride + d0], s);
        out[d0] = s;
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

} // namespace edge_rt::kernels::neon
