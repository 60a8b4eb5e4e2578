// The quantisers (core/block_encode, core/kquant_encode) against our dequantisers: round trips
// with error bounds derived from each format's step, a Q2_K block computed by hand from the
// format definition, and size checks.
#include "quant_test_util.hpp"

#include "core/block_encode.hpp"
#include "core/half.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

// How each format spends its codes on a group of `group` values: the step a plain quantiser of
// that group would have (affine: range/qmax; symmetric: largest magnitude / the longer side's
// code count; IQ4_NL: the grid's mean gap, 240/15, in units of amax/127).
struct Step {
    DType type;
    std::size_t group;
    double (*step)(const float* x, std::size_t n);
};

double amax(const float* x, std::size_t n)
{
    double m = 0;
    for (std::size_t i = 0; i < n; ++i)
        m = std::max(m, std::fabs(static_cast<double>(x[i])));
    return m;
}

template <int Qmax, bool ZeroInRange>
double affine_step(const float* x, std::size_t n)
{
    double lo = x[0], hi = x[0];
    for (std::size_t i = 0; i < n; ++i)
        lo = std::min(lo, static_cast<double>(x[i])), hi = std::max(hi, static_cast<double>(x[i]));
    if (ZeroInRange)
        lo = std::min(lo, 0.0);
    return (hi - lo) / Qmax;
}

template <int Side>
double symmetric_step(const float* x, std::size_t n) { return amax(x, n) / Side; }

double iq4_step(const float* x, std::size_t n) { return amax(x, n) / 127.0 * 16.0; }

const Step kSteps[] = {
    {DType::Q8_0, 32, symmetric_step<127>},          {DType::Q4_0, 32, symmetric_step<8>},
    {DType::Q4_1, 32, affine_step<15, false>},       {DType::Q5_0, 32, symmetric_step<16>},
    {DType::Q5_1, 32, affine_step<31, false>},       {DType::IQ4_NL, 32, iq4_step},
    {DType::Q2_K, 16, affine_step<3, true>},         {DType::Q3_K, 16, symmetric_step<4>},
    {DType::Q4_K, 32, affine_step<15, true>},        {DType::Q5_K, 32, affine_step<31, true>},
    {DType::Q6_K, 16, symmetric_step<32>},
};

std::vector<float> gaussian_row(std::size_t n, unsigned seed, float scale)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, scale);
    std::vector<float> x(n);
    for (float& v : x)
        v = g(rng);
    return x;
}

} // namespace

// The RMSE over a row is at most half the RMS of the groups' plain steps. Rounding to the
// nearest code of an exact step gives step/sqrt(12) ~ 0.29 step on average; the rest of the
// half step is what rounding the scales (6-bit, 4-bit, f16) may cost.
TEST(BlockEncode, RoundTripWithinHalfAStep)
{
    for (const Step& s : kSteps) {
        for (unsigned seed = 1; seed <= 4; ++seed) {
            auto x = gaussian_row(1024, seed, seed == 4 ? 1e-3f : 0.02f * static_cast<float>(seed));
            if (seed == 2)
                for (std::size_t i = 0; i < x.size(); i += 37)
                    x[i] *= 8.0f; // outliers
            std::vector<std::byte> q(type_bytes(s.type, x.size()));
            quantize_row(s.type, x, q);
            const auto y = decode(s.type, q, x.size());
            double step2 = 0;
            for (std::size_t g = 0; g < x.size(); g += s.group)
                step2 += std::pow(s.step(x.data() + g, s.group), 2);
            const double bound = 0.5 * std::sqrt(step2 / static_cast<double>(x.size() / s.group));
            const double e = rmse(x, y);
            EXPECT_LE(e, bound) << dtype_name(static_cast<std::uint32_t>(s.type)) << " seed " << seed;
            EXPECT_GT(e, 0.0) << "a Gaussian row is not exactly representable";
        }
    }
}

TEST(BlockEncode, ZerosStayZeroWhereTheFormatHasAZeroCode)
{
    const std::vector<float> x(512, 0.0f);
    for (const Step& s : kSteps) {
        if (s.type == DType::IQ4_NL)
            continue; // its grid has no 0, but d = 0 still decodes to 0
        std::vector<std::byte> q(type_bytes(s.type, x.size()));
        quantize_row(s.type, x, q);
        for (const float v : decode(s.type, q, x.size()))
            ASSERT_EQ(v, 0.0f) << dtype_name(static_cast<std::uint32_t>(s.type));
    }
}

// Q2_K by hand (ggml-common.h): scales[16] (low nibble: scale code, high: min code), qs[64],
// d f16, dmin f16; element 128h + 32p + l has its 2 bits at bit 2p of qs[32h + l], and decodes
// to d*sc*q - dmin*m for its sub-block (16 values). Values built from d = 1/8, dmin = 1/16,
// whose codes span every sub-block's range and whose largest scale and min codes are 15, are
// exactly representable: the quantiser must find them and the bytes are then fixed.
TEST(BlockEncode, Q2KHandComputedBlock)
{
    const float d = 0.125f, dmin = 0.0625f;
    int sc[16], mn[16], code[256];
    for (int s = 0; s < 16; ++s) {
        sc[s] = s == 3 ? 15 : 1 + (s * 7) % 15;
        mn[s] = s == 5 ? 15 : (s * 5) % 16;
    }
    std::vector<float> x(256);
    for (int i = 0; i < 256; ++i) {
        const int s = i / 16;
        code[i] = (i % 16 < 4) ? i % 4 : (i * 3 + i / 7) % 4; // each sub-block has codes 0..3
        x[static_cast<std::size_t>(i)] = d * static_cast<float>(sc[s] * code[i]) - dmin * static_cast<float>(mn[s]);
    }
    std::vector<std::byte> expect(84, std::byte{0});
    for (int s = 0; s < 16; ++s)
        expect[static_cast<std::size_t>(s)] = static_cast<std::byte>(sc[s] | (mn[s] << 4));
    for (int i = 0; i < 256; ++i) {
        const int h = i / 128, p = (i % 128) / 32, l = i % 32;
        expect[static_cast<std::size_t>(16 + 32 * h + l)] |= static_cast<std::byte>(code[i] << (2 * p));
    }
    expect[80] = std::byte{0x00}, expect[81] = std::byte{0x30}; // f16 0.125 = 0x3000
    expect[82] = std::byte{0x00}, expect[83] = std::byte{0x2c}; // f16 0.0625 = 0x2c00
    std::vector<std::byte> q(84);
    quantize_row(DType::Q2_K, x, q);
    EXPECT_EQ(q, expect);
    EXPECT_EQ(decode(DType::Q2_K, q, 256), x);
}

TEST(BlockEncode, SizeMismatchAndUnsupportedTypesThrow)
{
    std::vector<float> x(256);
    std::vector<std::byte> wrong(100);
    for (const Step& s : kSteps)
        EXPECT_THROW(quantize_row(s.type, x, wrong), std::invalid_argument) << dtype_name(static_cast<std::uint32_t>(s.type));
    std::vector<std::byte> q(136);
    EXPECT_FALSE(can_quantize(DType::IQ4_XS));
    EXPECT_THROW(quantize_row(DType::IQ4_XS, x, q), std::invalid_argument);
    std::vector<float> odd(100); // not a whole number of 32-value blocks
    std::vector<std::byte> q8(4 * 34);
    EXPECT_THROW(quantize_row(DType::Q8_0, odd, q8), std::invalid_argument);
}
