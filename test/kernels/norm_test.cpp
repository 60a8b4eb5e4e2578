// RMSNorm and LayerNorm against hand-computed values and double-precision references.
#include "kernels/kernel_table.hpp"
#include "reference_util.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

TEST(Norm, RmsNormHandComputed)
{
    // x = [3 4]: mean square 12.5, so out = x / sqrt(12.5) * w.
    const float x[] = {3, 4};
    const float w[] = {1, 2};
    float out[2];
    kernels::scalar_kernels().rmsnorm(x, w, 2, 0.0f, out);
    EXPECT_FLOAT_EQ(out[0], static_cast<float>(3 / std::sqrt(12.5)));
    EXPECT_FLOAT_EQ(out[1], static_cast<float>(8 / std::sqrt(12.5)));
}

TEST(Norm, RmsNormMatchesDoubleReferenceInPlace)
{
    std::mt19937 rng(21);
    const std::size_t n = 67;
    auto x = random_floats(rng, n, -3.0f, 3.0f);
    const auto w = random_floats(rng, n);
    const float eps = 1e-5f;
    double ms = 0;
    for (float v : x)
        ms += static_cast<double>(v) * v;
    const double inv = 1.0 / std::sqrt(ms / n + eps);
    std::vector<double> want(n);
    for (std::size_t i = 0; i < n; ++i)
        want[i] = x[i] * inv * w[i];
    kernels::scalar_kernels().rmsnorm(x.data(), w.data(), n, eps, x.data()); // out aliases x
    for (std::size_t i = 0; i < n; ++i)
        EXPECT_NEAR(x[i], want[i], 1e-6 * std::fabs(want[i]) + 1e-7) << i;
}

TEST(Norm, LayerNormHandComputed)
{
    // x = [1 2 3 4]: mean 2.5, biased variance 1.25.
    const float x[] = {1, 2, 3, 4};
    const float w[] = {1, 1, 2, 2};
    const float b[] = {0, 1, 0, -1};
    float out[4];
    kernels::scalar_kernels().layernorm(x, w, b, 4, 0.0f, out);
    const double s = 1.0 / std::sqrt(1.25);
    EXPECT_FLOAT_EQ(out[0], static_cast<float>(-1.5 * s));
    EXPECT_FLOAT_EQ(out[1], static_cast<float>(-0.5 * s + 1));
    EXPECT_FLOAT_EQ(out[2], static_cast<float>(0.5 * s * 2));
    EXPECT_FLOAT_EQ(out[3], static_cast<float>(1.5 * s * 2 - 1));
}

TEST(Norm, LayerNormMatchesDoubleReference)
{
    std::mt19937 rng(22);
    const std::size_t n = 65;
    const auto x = random_floats(rng, n, 5.0f, 9.0f); // large mean: a one-pass variance would lose digits
    const auto w = random_floats(rng, n);
    const auto b = random_floats(rng, n);
    const float eps = 1e-5f;
    double mean = 0;
    for (float v : x)
        mean += v;
    mean /= n;
    double var = 0;
    for (float v : x)
        var += (v - mean) * (v - mean);
    var /= n;
    std::vector<float> out(n);
    kernels::scalar_kernels().layernorm(x.data(), w.data(), b.data(), n, eps, out.data());
    for (std::size_t i = 0; i < n; ++i) {
        const double want = (x[i] - mean) / std::sqrt(var + eps) * w[i] + b[i];
        EXPECT_NEAR(out[i], want, 1e-6 * std::fabs(want) + 1e-7) << i;
    }
}
