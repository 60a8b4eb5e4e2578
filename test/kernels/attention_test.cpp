// Attention of one position over a KV cache: softmax(q k^T / sqrt(d)) v per head, with query
// head h reading KV head h / (n_head / n_head_kv), against a double-precision reference.
#include "kernels/kernel_table.hpp"
#include "reference_util.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

std::vector<double> attention_reference(const std::vector<float>& q, const std::vector<float>& k,
                                        const std::vector<float>& v, std::size_t n_kv, std::size_t n_head,
                                        std::size_t n_head_kv, std::size_t head_dim)
{
    const std::size_t stride = n_head_kv * head_dim;
    std::vector<double> out(n_head * head_dim);
    for (std::size_t h = 0; h < n_head; ++h) {
        const std::size_t kvh = h * n_head_kv / n_head;
        std::vector<double> s(n_kv);
        double max = -1e300;
        for (std::size_t j = 0; j < n_kv; ++j) {
            for (std::size_t d = 0; d < head_dim; ++d)
                s[j] += static_cast<double>(q[h * head_dim + d]) * k[j * stride + kvh * head_dim + d];
            s[j] /= std::sqrt(static_cast<double>(head_dim));
            max = std::max(max, s[j]);
        }
        double sum = 0;
        for (auto& e : s)
            sum += (e = std::exp(e - max));
        for (std::size_t j = 0; j < n_kv; ++j)
            for (std::size_t d = 0; d < head_dim; ++d)
                out[h * head_dim + d] += s[j] / sum * v[j * stride + kvh * head_dim + d];
    }
    return out;
}

void check_attention(std::size_t n_head, std::size_t n_head_kv, std::size_t head_dim, std::size_t n_kv)
{
    std::mt19937 rng(static_cast<unsigned>(51 + n_head * 7 + n_head_kv));
    const std::size_t stride = n_head_kv * head_dim;
    const std::size_t cache_rows = n_kv + 3;
    const auto q = random_floats(rng, n_head * head_dim, -2.0f, 2.0f);
    auto k = random_floats(rng, cache_rows * stride, -2.0f, 2.0f);
    auto v = random_floats(rng, cache_rows * stride, -2.0f, 2.0f);
    // Rows after n_kv are the future: poison them, causal attention must never read them.
    for (std::size_t i = n_kv * stride; i < k.size(); ++i)
        k[i] = v[i] = std::numeric_limits<float>::quiet_NaN();
    const auto want = attention_reference(q, k, v, n_kv, n_head, n_head_kv, head_dim);
    std::vector<float> scores(n_kv), out(n_head * head_dim);
    kernels::AttentionArgs args{q.data(), k.data(), v.data(), n_kv, stride, n_head, n_head_kv, head_dim,
                                scores.data(), out.data()};
    kernels::scalar_kernels().attention(args);
    for (std::size_t i = 0; i < out.size(); ++i)
        ASSERT_NEAR(out[i], want[i], 2e-6) << "heads " << n_head << "/" << n_head_kv << " i " << i;
}

} // namespace

TEST(Attention, GroupedQueryHeadsMatchReference) { check_attention(6, 2, 5, 7); }
TEST(Attention, OneKvHeadPerQueryHeadMatchesReference) { check_attention(4, 4, 8, 13); }
TEST(Attention, MultiQueryMatchesReference) { check_attention(3, 1, 3, 1); }

TEST(Attention, SinglePositionReturnsItsValue)
{
    // With one visible position the softmax weight is exactly 1: the output is v.
    const float q[] = {0.3f, -1.0f};
    const float k[] = {5.0f, 2.0f};
    const float v[] = {0.25f, -7.0f};
    float scores[1], out[2];
    kernels::scalar_kernels().attention({q, k, v, 1, 2, 1, 1, 2, scores, out});
    EXPECT_EQ(out[0], 0.25f);
    EXPECT_EQ(out[1], -7.0f);
}
