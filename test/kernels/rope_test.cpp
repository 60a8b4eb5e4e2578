// RoPE: each pair (a, b) of a head, seen as the complex number a + ib, is multiplied by
// e^(i pos theta_k) with theta_k = base^(-2k/n_rot); dimensions beyond n_rot stay as they are.
#include "kernels/kernel_table.hpp"
#include "reference_util.hpp"

#include <cmath>
#include <complex>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;
using kernels::RopePairing;

namespace {

std::vector<double> rope_reference(const std::vector<float>& x, std::size_t n_heads, std::size_t head_dim,
                                   std::size_t n_rot, std::size_t pos, double base, RopePairing pairing)
{
    std::vector<double> out(x.begin(), x.end());
    for (std::size_t h = 0; h < n_heads; ++h) {
        for (std::size_t k = 0; k < n_rot / 2; ++k) {
            const std::size_t a = h * head_dim + (pairing == RopePairing::Interleaved ? 2 * k : k);
            const std::size_t b = h * head_dim + (pairing == RopePairing::Interleaved ? 2 * k + 1 : k + n_rot / 2);
            const double theta = std::pow(base, -2.0 * k / n_rot);
            const auto z = std::complex<double>(x[a], x[b]) * std::polar(1.0, pos * theta);
            out[a] = z.real();
            out[b] = z.imag();
        }
    }
    return out;
}

} // namespace

TEST(Rope, HandComputedSinglePair)
{
    // One head of 2: theta_0 = 1, so at pos 1 the vector (1, 0) turns by one radian.
    float x[] = {1.0f, 0.0f};
    kernels::scalar_kernels().rope(x, 1, 2, 2, 1, 10000.0f, RopePairing::Interleaved);
    EXPECT_FLOAT_EQ(x[0], static_cast<float>(std::cos(1.0)));
    EXPECT_FLOAT_EQ(x[1], static_cast<float>(std::sin(1.0)));
}

TEST(Rope, HalvesPairDimensionIWithIPlusHalf)
{
    // head_dim 4, base 10000: pairs (0,2) with theta 1 and (1,3) with theta 0.01.
    float x[] = {1.0f, 1.0f, 0.0f, 0.0f};
    kernels::scalar_kernels().rope(x, 1, 4, 4, 2, 10000.0f, RopePairing::Halves);
    EXPECT_FLOAT_EQ(x[0], static_cast<float>(std::cos(2.0)));
    EXPECT_FLOAT_EQ(x[2], static_cast<float>(std::sin(2.0)));
    EXPECT_FLOAT_EQ(x[1], static_cast<float>(std::cos(0.02)));
    EXPECT_FLOAT_EQ(x[3], static_cast<float>(std::sin(0.02)));
}

TEST(Rope, MatchesComplexRotationForBothPairings)
{
    std::mt19937 rng(31);
    for (auto pairing : {RopePairing::Interleaved, RopePairing::Halves}) {
        for (std::size_t n_rot : {std::size_t{8}, std::size_t{6}}) { // 6 < head_dim: partial rotation
            for (std::size_t pos : {std::size_t{0}, std::size_t{1}, std::size_t{37}, std::size_t{1999}}) {
                const std::size_t n_heads = 3, head_dim = 8;
                auto x = random_floats(rng, n_heads * head_dim);
                const auto want = rope_reference(x, n_heads, head_dim, n_rot, pos, 500000.0, pairing);
                kernels::scalar_kernels().rope(x.data(), n_heads, head_dim, n_rot, pos, 500000.0f, pairing);
                for (std::size_t i = 0; i < x.size(); ++i)
                    ASSERT_NEAR(x[i], want[i], 1e-6) << "pos " << pos << " n_rot " << n_rot << " i " << i;
            }
        }
    }
}
