// Q8_0 / Q4_0 block formats: hand-made blocks decode to the values the format defines, and
// quantising follows ggml's rule with error bounds derived below.
#include "core/half.hpp"
#include "core/quant.hpp"
#include "kernels/dequantize.hpp"
#include "reference_util.hpp"

#include <cfloat>
#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> v)
{
    std::vector<std::byte> out;
    for (unsigned b : v)
        out.push_back(static_cast<std::byte>(b));
    return out;
}

float scale_of(const std::byte* block)
{
    return f16_to_f32(static_cast<std::uint16_t>(std::to_integer<unsigned>(block[0]) |
                                                 (std::to_integer<unsigned>(block[1]) << 8)));
}

// Inputs that exercise the rules: mixed signs, a negative extreme, zeros, tiny and large scales.
std::vector<float> tricky_blocks(std::mt19937& rng)
{
    std::vector<float> x = random_floats(rng, 32 * 40, -3.0f, 3.0f);
    for (int i = 0; i < 32; ++i)
        x[i] = 0.0f;                                // all-zero block: d = 0
    x[32 + 5] = -7.5f;                              // negative extreme
    for (int i = 64; i < 96; ++i)
        x[i] *= 1e-4f;                              // small scale
    for (int i = 96; i < 128; ++i)
        x[i] *= 1e3f;                               // large scale
    x[128] = 2.0f;                                  // Q4_0: opposite of the extreme lands on x/d = -8 ...
    x[129] = -2.0f;                                 // ... and +8 clamps to 7
    for (int i = 130; i < 160; ++i)
        x[i] = 0.01f * static_cast<float>(i - 145);
    return x;
}

} // namespace

TEST(Quant, HandMadeQ8_0BlockDecodes)
{
    // d = 0.5 (f16 0x3800, little-endian), q = -128, -1, 0, 1, 127, then 2, 3, ... 28.
    auto block = bytes_of({0x00, 0x38, 0x80, 0xff, 0x00, 0x01, 0x7f});
    for (unsigned i = 2; i <= 28; ++i)
        block.push_back(static_cast<std::byte>(i));
    std::vector<float> out(32);
    dequantize_row_q8_0(block, out);
    EXPECT_EQ(out[0], -64.0f);
    EXPECT_EQ(out[1], -0.5f);
    EXPECT_EQ(out[2], 0.0f);
    EXPECT_EQ(out[3], 0.5f);
    EXPECT_EQ(out[4], 63.5f);
    for (int i = 5; i < 32; ++i)
        EXPECT_EQ(out[i], 0.5f * static_cast<float>(i - 3)) << i;
}

TEST(Quant, HandMadeQ4_0BlockDecodesLowNibblesFirst)
{
    // d = 2.0 (f16 0x4000); byte j holds j in its low nibble and 15-j in its high nibble:
    // element j = 2*(j-8), element j+16 = 2*((15-j)-8).
    auto block = bytes_of({0x00, 0x40});
    for (unsigned j = 0; j < 16; ++j)
        block.push_back(static_cast<std::byte>(j | ((15 - j) << 4)));
    std::vector<float> out(32);
    dequantize_row_q4_0(block, out);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(out[j], 2.0f * static_cast<float>(j - 8)) << j;
        EXPECT_EQ(out[j + 16], 2.0f * static_cast<float>(7 - j)) << j;
    }
}

TEST(Quant, Q8_0QuantisesByTheGgmlRule)
{
    // x_i = i: amax 31, d = 31/127, q_i = round(127 i / 31) (no ties: 31 is prime and odd).
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i)
        x[i] = static_cast<float>(i);
    std::vector<std::byte> block(kQ8_0BlockBytes);
    quantize_row_q8_0(x, block);
    EXPECT_EQ(scale_of(block.data()), f16_to_f32(f32_to_f16(31.0f / 127.0f)));
    for (int i = 0; i < 32; ++i) {
        const auto q = static_cast<std::int8_t>(std::to_integer<std::uint8_t>(block[2 + i]));
        EXPECT_EQ(q, static_cast<int>(std::lround(127.0 * i / 31.0))) << i;
    }
}

TEST(Quant, Q4_0QuantisesByTheGgmlRule)
{
    // x_i = i - 16: the extreme is -16, so d = -16/-8 = 2 and q_i = min(15, floor(i/2 + 0.5)).
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i)
        x[i] = static_cast<float>(i - 16);
    std::vector<std::byte> block(kQ4_0BlockBytes);
    quantize_row_q4_0(x, block);
    EXPECT_EQ(scale_of(block.data()), 2.0f);
    const auto decoded = decode_by_definition(DType::Q4_0, block.data(), 32);
    for (int i = 0; i < 32; ++i) {
        const int q = std::min(15, static_cast<int>(std::floor(i / 2.0 + 0.5)));
        EXPECT_EQ(decoded[i], 2.0 * (q - 8)) << i;
    }
    // A positive extreme flips the sign of d: the extreme still maps to q = 0 exactly.
    for (auto& v : x)
        v = -v;
    quantize_row_q4_0(x, block);
    EXPECT_EQ(scale_of(block.data()), -2.0f);
    EXPECT_EQ(std::to_integer<unsigned>(block[2]) & 0xf, 0u); // x_0 = +16 -> q 0
}

// Q8_0: q = round(x * id) with d = amax/127 and id = 1/d in float, and x_hat = d' q with
// d' = f16(d). So |x - x_hat| <= |x - d q| + |q| |d - d'|, and |x - d q| = d |x/d - q| <=
// d (1/2 + |x/d| * 2^-22) (two float roundings in x*id, |x/d| <= 127).
TEST(Quant, Q8_0RoundTripStaysWithinTheDerivedBound)
{
    std::mt19937 rng(81);
    const auto x = tricky_blocks(rng);
    std::vector<std::byte> q(x.size() / 32 * kQ8_0BlockBytes);
    quantize_row_q8_0(x, q);
    std::vector<float> y(x.size());
    kernels::dequantize_row(DType::Q8_0, q.data(), y);
    for (std::size_t b = 0; b < x.size() / 32; ++b) {
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i)
            amax = std::max(amax, std::fabs(x[b * 32 + i]));
        const double d = amax / 127.0f;
        const double d16 = scale_of(q.data() + b * kQ8_0BlockBytes);
        EXPECT_EQ(d16, f16_to_f32(f32_to_f16(amax / 127.0f))) << b;
        for (int i = 0; i < 32; ++i) {
            const std::size_t k = b * 32 + i;
            const double qi = static_cast<std::int8_t>(std::to_integer<std::uint8_t>(q[b * kQ8_0BlockBytes + 2 + i]));
            const double bound = d * (0.5 + 127.0 * std::ldexp(1.0, -22)) + std::fabs(qi) * std::fabs(d - d16);
            EXPECT_LE(std::fabs(x[k] - static_cast<double>(y[k])), bound) << "block " << b << " elem " << i;
        }
        if (amax == 0.0f) {
            for (int i = 0; i < 32; ++i)
                EXPECT_EQ(y[b * 32 + i], 0.0f);
        }
    }
}

// Q4_0: d = m/-8 (m the signed extreme), x/d in [-8, 8], q-8 = clamp(floor(x/d + 8.5), 0, 15) - 8.
// Rounding gives |x/d - (q-8)| <= 1/2, except for x/d >= 7.5 where the clamp to 7 allows up to 1.
// With x_hat = d'(q-8), d' = f16(d): |x - x_hat| <= |d| e + 8 |d - d'|, e = 1/2 or 1.
TEST(Quant, Q4_0RoundTripStaysWithinTheDerivedBound)
{
    std::mt19937 rng(82);
    const auto x = tricky_blocks(rng);
    std::vector<std::byte> q(x.size() / 32 * kQ4_0BlockBytes);
    quantize_row_q4_0(x, q);
    std::vector<float> y(x.size());
    kernels::dequantize_row(DType::Q4_0, q.data(), y);
    int clamped = 0;
    for (std::size_t b = 0; b < x.size() / 32; ++b) {
        float m = 0.0f;
        for (int i = 0; i < 32; ++i)
            if (std::fabs(x[b * 32 + i]) > std::fabs(m))
                m = x[b * 32 + i];
        const double d = m / -8.0f;
        const double d16 = scale_of(q.data() + b * kQ4_0BlockBytes);
        for (int i = 0; i < 32; ++i) {
            const std::size_t k = b * 32 + i;
            const double slack = std::fabs(d) * 1e-5; // float rounding of x * (1/d)
            const double ratio = d != 0.0 ? x[k] / d : 0.0;
            const double e = ratio >= 7.5 - 1e-5 ? 1.0 : 0.5;
            clamped += e == 1.0;
            const double bound = std::fabs(d) * e + 8.0 * std::fabs(d - d16) + slack;
            EXPECT_LE(std::fabs(x[k] - static_cast<double>(y[k])), bound) << "block " << b << " elem " << i;
        }
    }
    EXPECT_GE(clamped, 1); // the clamp case is exercised (x[129] = -x[128])
}

TEST(Quant, RejectsRowsThatAreNotWholeBlocks)
{
    std::vector<float> x(33);
    std::vector<std::byte> q(2 * kQ8_0BlockBytes);
    EXPECT_THROW(quantize_row_q8_0(x, q), std::invalid_argument);
    std::vector<float> y(32);
    std::vector<std::byte> short_block(kQ4_0BlockBytes - 1);
    EXPECT_THROW(dequantize_row_q4_0(short_block, y), std::invalid_argument);
}

TEST(Dequantize, EveryTypeMatchesTheDefinition)
{
    std::mt19937 rng(83);
    for (DType t : kAllWeightTypes) {
        const std::size_t n = 96;
        const auto bytes = encode_rows(t, random_floats(rng, n, -4.0f, 4.0f), n);
        const auto want = decode_by_definition(t, bytes.data(), n);
        std::vector<float> got(n);
        kernels::dequantize_row(t, bytes.data(), got);
        for (std::size_t i = 0; i < n; ++i)
            ASSERT_EQ(static_cast<double>(got[i]), want[i]) << dtype_name(static_cast<std::uint32_t>(t)) << " " << i;
    }
}
