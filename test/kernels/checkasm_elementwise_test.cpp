// checkasm-style checks of the element-wise entries a variant may replace, against definitions
// in double (softmax, SiLU*mul) and against the portable quantiser (whose bytes every matrix
// kernel relies on, so a variant must reproduce them exactly). Bounds for a float exp within
// a few ulps: each e^x is off by at most 8u relatively, the float difference x - max by
// |x - max| * u/2 more, the float sum of n of them by n*u, one division by u, so
// |softmax - ref| <= (2*8 + |x - max| + n + 2) * u * ref + 1e-45; SiLU*mul has an exp, an add,
// a division and a product: (8 + 4) * u relative, plus a floor for results near denormals.
#include "kernels/activation_quant.hpp"
#include "kernels/dispatch.hpp"
#include "reference_util.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr double kUnit = 0x1p-24;
constexpr std::size_t kSizes[] = {1, 3, 16, 17, 100, 1031};

} // namespace

TEST(CheckasmElementwise, SoftmaxMatchesDoubleDefinition)
{
    std::mt19937 rng(5);
    for (const auto* k : kernels::available_kernels()) {
        for (std::size_t n : kSizes) {
            auto x = random_floats(rng, n, -30.0f, 10.0f);
            const auto x0 = x;
            const double max = *std::max_element(x.begin(), x.end());
            std::vector<double> ref(n);
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i)
                sum += ref[i] = std::exp(x[i] - max);
            k->softmax(x.data(), n);
            for (std::size_t i = 0; i < n; ++i) {
                const double want = ref[i] / sum;
                const double spread = max - x0[i];
                EXPECT_LE(std::fabs(x[i] - want), (18.0 + spread + static_cast<double>(n)) * kUnit * want + 1e-45)
                    << k->name << " n " << n << " i " << i;
            }
        }
    }
}

TEST(CheckasmElementwise, SiluMulMatchesDoubleDefinition)
{
    std::mt19937 rng(6);
    for (const auto* k : kernels::available_kernels()) {
        for (std::size_t n : kSizes) {
            auto g = random_floats(rng, n, -20.0f, 20.0f);
            const auto up = random_floats(rng, n, -3.0f, 3.0f);
            if (n > 2) { // the ends of the range: exp(-g) overflowing or vanishing
                g[0] = -100.0f;
                g[1] = 100.0f;
            }
            const auto g0 = g;
            k->silu_mul(g.data(), up.data(), n);
            for (std::size_t i = 0; i < n; ++i) {
                const double want = g0[i] / (1.0 + std::exp(-static_cast<double>(g0[i]))) * up[i];
                EXPECT_LE(std::fabs(g[i] - want), 12.0 * kUnit * std::fabs(want) + 1e-37)
                    << k->name << " n " << n << " g " << g0[i];
            }
        }
    }
}

TEST(CheckasmElementwise, QuantiserGivesThePortableBytes)
{
    std::mt19937 rng(7);
    const std::size_t cols = 96, n = 5;
    auto x = random_floats(rng, cols * n, -4.0f, 4.0f);
    std::fill_n(x.begin() + 32, 32, 0.0f);   // an all-zero block: scale 0
    x[70] = 1e-30f;                          // a tiny block maximum
    x[100] = 0.5f * (x[101] = 1.0f / 127.0f * 2.0f); // values halfway between two steps
    std::vector<std::byte> want(kernels::quantized_bytes(cols, n));
    kernels::quantize_activations(x.data(), cols, 0, n, want.data());
    for (const auto* k : kernels::available_kernels()) {
        std::vector<std::byte> got(want.size(), std::byte{0x55});
        k->quantize(x.data(), cols, 0, n, got.data());
        EXPECT_EQ(got, want) << k->name;
    }
}
