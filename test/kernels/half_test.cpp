// The scalar F16/BF16 conversions are the reference for every SIMD variant, so they are
// checked exhaustively against the definition of the formats (value = sign * m * 2^e).
#include "core/half.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;

namespace {
double f16_by_definition(std::uint16_t h)
{
    const int sign = (h & 0x8000) ? -1 : 1;
    const int exp = (h >> 10) & 0x1f;
    const int mant = h & 0x3ff;
    if (exp == 0)
        return sign * std::ldexp(mant, -24);
    if (exp == 31)
        return mant ? NAN : sign * INFINITY;
    return sign * std::ldexp(1024 + mant, exp - 25);
}
} // namespace

TEST(Half, EveryF16DecodesToItsDefinedValue)
{
    for (std::uint32_t h = 0; h <= 0xffff; ++h) {
        const double want = f16_by_definition(static_cast<std::uint16_t>(h));
        const float got = f16_to_f32(static_cast<std::uint16_t>(h));
        if (std::isnan(want))
            ASSERT_TRUE(std::isnan(got)) << h;
        else
            ASSERT_EQ(static_cast<double>(got), want) << h;
    }
}

TEST(Half, EveryFiniteF16RoundTrips)
{
    for (std::uint32_t h = 0; h <= 0xffff; ++h) {
        if (((h >> 10) & 0x1f) == 0x1f && (h & 0x3ff))
            continue; // NaN payloads are not preserved bit for bit
        ASSERT_EQ(f32_to_f16(f16_to_f32(static_cast<std::uint16_t>(h))), h) << h;
    }
}

TEST(Half, RoundsToNearestEven)
{
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to even (1).
    EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
    // 1 + 3*2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9: goes up to even.
    EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
    EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00); // rounds to infinity
    EXPECT_EQ(f32_to_f16(-1e9f), 0xfc00);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001); // smallest subnormal
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000); // tie to even: zero
    EXPECT_EQ(f32_to_f16(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(NAN))));
}

TEST(Half, BFloat16)
{
    for (std::uint32_t b = 0; b <= 0xffff; ++b) {
        const float f = bf16_to_f32(static_cast<std::uint16_t>(b));
        if (std::isnan(f))
            continue;
        ASSERT_EQ(f32_to_bf16(f), b) << b;
    }
    EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);     // tie to even
    EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82); // tie to even, upward
    EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(NAN))));
}
