// Softmax, SiLU*mul and GELU (tanh approximation) against their definitions in double.
#include "kernels/kernel_table.hpp"
#include "reference_util.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <numbers>

using namespace edge_rt;
using namespace edge_rt::test;

TEST(Softmax, HandComputed)
{
    // exp of [0, ln 2, ln 3] is [1 2 3]: probabilities 1/6, 2/6, 3/6.
    float x[] = {0.0f, static_cast<float>(std::log(2.0)), static_cast<float>(std::log(3.0))};
    kernels::scalar_kernels().softmax(x, 3);
    EXPECT_FLOAT_EQ(x[0], 1.0f / 6);
    EXPECT_FLOAT_EQ(x[1], 2.0f / 6);
    EXPECT_FLOAT_EQ(x[2], 3.0f / 6);
}

TEST(Softmax, LargeInputsDoNotOverflow)
{
    float x[] = {1000.0f, 1001.0f, -1000.0f};
    kernels::scalar_kernels().softmax(x, 3);
    const double e = std::exp(-1.0);
    EXPECT_FLOAT_EQ(x[0], static_cast<float>(e / (1 + e)));
    EXPECT_FLOAT_EQ(x[1], static_cast<float>(1 / (1 + e)));
    EXPECT_EQ(x[2], 0.0f);
}

TEST(Activation, SiluMulMatchesDefinition)
{
    std::mt19937 rng(41);
    const std::size_t n = 173;
    auto g = random_floats(rng, n, -8.0f, 8.0f);
    const auto u = random_floats(rng, n, -2.0f, 2.0f);
    const auto g0 = g;
    kernels::scalar_kernels().silu_mul(g.data(), u.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
        const double want = g0[i] / (1.0 + std::exp(-static_cast<double>(g0[i]))) * u[i];
        EXPECT_NEAR(g[i], want, 1e-6 * std::fabs(want) + 1e-7) << i;
    }
}

TEST(Activation, GeluTanhMatchesDefinitionAndIsCloseToErfGelu)
{
    std::mt19937 rng(42);
    const std::size_t n = 101;
    auto x = random_floats(rng, n, -6.0f, 6.0f);
    const auto x0 = x;
    kernels::scalar_kernels().gelu(x.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
        const double v = x0[i];
        const double tanh_form = 0.5 * v * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
        const double erf_form = 0.5 * v * (1 + std::erf(v / std::numbers::sqrt2));
        EXPECT_NEAR(x[i], tanh_form, 1e-6 * std::fabs(tanh_form) + 1e-7) << v;
        EXPECT_NEAR(x[i], erf_form, 1e-3) << v; // the approximation is within ~5e-4 of exact GELU
    }
    float zero = 0.0f;
    kernels::scalar_kernels().gelu(&zero, 1);
    EXPECT_EQ(zero, 0.0f);
}

TEST(Activation, AddAccumulates)
{
    float y[] = {1, 2, 3};
    const float x[] = {0.5f, -2, 4};
    kernels::scalar_kernels().add(y, x, 3);
    EXPECT_EQ(y[0], 1.5f);
    EXPECT_EQ(y[1], 0.0f);
    EXPECT_EQ(y[2], 7.0f);
}
