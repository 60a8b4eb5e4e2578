// Scaled dot-product attention of one query position over a layer's KV cache. Causality is
// the caller's n_kv: only positions 0 .. n_kv-1 (this one included) are visible.
#include "kernels/scalar/scalar.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace edge_rt::kernels::scalar {

void attention(const AttentionArgs& a)
{
    const double scale = 1.0 / std::sqrt(static_cast<double>(a.head_dim));
    const std::size_t group = a.n_head / a.n_head_kv; // query heads sharing one KV head
    std::vector<double> sum(a.head_dim);
    for (std::size_t h = 0; h < a.n_head; ++h) {
        const float* q = a.q + h * a.head_dim;
        const std::size_t kv_offset = (h / group) * a.head_dim;
        for (std::size_t j = 0; j < a.n_kv; ++j)
            a.scores[j] = static_cast<float>(dot(q, a.k + j * a.kv_stride + kv_offset, a.head_dim) * scale);
        softmax(a.scores, a.n_kv);
        // Position-major, so the cache is read row by row; each output still sums its
        // products in position order.
        std::fill(sum.begin(), sum.end(), 0.0);
        for (std::size_t j = 0; j < a.n_kv; ++j) {
            const float* v = a.v + j * a.kv_stride + kv_offset;
            const double s = a.scores[j];
            for (std::size_t d = 0; d < a.head_dim; ++d)
                sum[d] += s * v[d];
        }
        float* out = a.out + h * a.head_dim;
        for (std::size_t d = 0; d < a.head_dim; ++d)
            out[d] = static_cast<float>(sum[d]);
    }
}

} // namespace edge_rt::kernels::scalar
