// checkasm-style check of every variant's attention against the scalar reference, on awkward
// shapes (head_dim not a multiple of 16, odd grouped heads, one visible position). Bound: a
// float dot of head_dim terms is off by at most delta = (head_dim + 2) * u * sum|q k| * scale;
// that moves each softmax weight by a factor within exp(+-2 delta_max), and the float sum of
// n_kv weighted values adds (n_kv + 2) * u * sum p|v|, so
//   |out - ref| <= (exp(2 delta_max) - 1 + (n_kv + 2) * u) * max|v| * 1.01 (float rounding of p).
#include "kernels/dispatch.hpp"
#include "kernels/kernel_table.hpp"
#include "reference_util.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr double kUnit = 0x1p-24;

struct AttnShape {
    std::size_t n_head, n_head_kv, head_dim, n_kv;
};

// The largest score error of any head (see the top of the file).
double max_score_error(const AttnShape& s, const std::vector<float>& q, const std::vector<float>& k)
{
    const std::size_t stride = s.n_head_kv * s.head_dim, group = s.n_head / s.n_head_kv;
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.head_dim));
    double worst = 0.0;
    for (std::size_t h = 0; h < s.n_head; ++h)
        for (std::size_t j = 0; j < s.n_kv; ++j) {
            double mag = 0.0;
            for (std::size_t d = 0; d < s.head_dim; ++d)
                mag += std::fabs(static_cast<double>(q[h * s.head_dim + d]) *
                                 k[j * stride + (h / group) * s.head_dim + d]);
            worst = std::max(worst, static_cast<double>(s.head_dim + 2) * kUnit * mag * scale);
        }
    return worst;
}

} // namespace

TEST(Checkasm, AttentionMatchesScalarWithinBound)
{
    std::mt19937 rng(31);
    const AttnShape shapes[] = {{1, 1, 16, 1}, {6, 3, 20, 37}, {4, 2, 64, 130}, {3, 1, 7, 5}, {2, 2, 33, 64}};
    for (const auto* kt : kernels::available_kernels()) {
        for (const auto& s : shapes) {
            const std::size_t stride = s.n_head_kv * s.head_dim;
            const auto q = random_floats(rng, s.n_head * s.head_dim, -2.0f, 2.0f);
            const auto k = random_floats(rng, s.n_kv * stride, -2.0f, 2.0f);
            const auto v = random_floats(rng, s.n_kv * stride, -3.0f, 3.0f);
            std::vector<float> scores(s.n_kv), want(s.n_head * s.head_dim), got(want.size(), -1.0f);
            kernels::AttentionArgs args{q.data(), k.data(), v.data(), s.n_kv, stride, s.n_head,
                                        s.n_head_kv, s.head_dim, scores.data(), want.data()};
            kernels::scalar_kernels().attention(args);
            args.out = got.data();
            kt->attention(args);
            double vmax = 0.0;
            for (float x : v)
                vmax = std::max(vmax, std::fabs(static_cast<double>(x)));
            const double bound =
                (std::expm1(2.0 * max_score_error(s, q, k)) + static_cast<double>(s.n_kv + 2) * kUnit) * vmax * 1.01;
            for (std::size_t i = 0; i < want.size(); ++i)
                ASSERT_NEAR(got[i], want[i], bound) << kt->name << " head_dim " << s.head_dim << " n_kv " << s.n_kv
                                                    << " output " << i;
        }
    }
}
