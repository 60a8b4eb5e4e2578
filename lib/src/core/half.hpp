// IEEE half and bfloat16 conversions, bit-exact and portable: the scalar reference that
// every SIMD conversion is tested against.
#pragma once

#include <bit>
#include <cstdint>

namespace edge_rt {

inline float f16_to_f32(std::uint16_t h) noexcept
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0x1f) { // inf / nan: keep the payload
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp != 0) { // normal
        bits = sign | ((exp + 112u) << 23) | (mant << 13);
    } else if (mant == 0) { // signed zero
        bits = sign;
    } else { // subnormal: normalise the mantissa
        exp = 113;
        while ((mant & 0x400u) == 0) {
            mant <<= 1;
            --exp;
        }
        bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
    return std::bit_cast<float>(bits);
}

/// Round-to-nearest-even, overflow to infinity, NaN stays NaN.
inline std::uint16_t f32_to_f16(float f) noexcept
{
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) // inf or nan
        return static_cast<std::uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    if (abs >= 0x477ff000u) // rounds to a value beyond the largest half
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (abs < 0x38800000u) { // result is subnormal or zero
        if (abs < 0x33000000u)
            return sign;
        const std::uint32_t e = abs >> 23;
        const std::uint32_t m = (abs & 0x7fffffu) | 0x800000u;
        const std::uint32_t shift = 126u - e; // 14..24
        std::uint32_t r = m >> shift;
        const std::uint32_t rem = m & ((1u << shift) - 1u);
        const std::uint32_t half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (r & 1u)))
            ++r;
        return static_cast<std::uint16_t>(sign | r);
    }
    std::uint32_t r = ((abs - 0x38000000u) >> 13);
    const std::uint32_t rem = abs & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (r & 1u)))
        ++r;
    return static_cast<std::uint16_t>(sign | r);
}

inline float bf16_to_f32(std::uint16_t b) noexcept
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

/// Round-to-nearest-even; NaN stays NaN.
inline std::uint16_t f32_to_bf16(float f) noexcept
{
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    const std::uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>((x + rounding) >> 16);
}

} // namespace edge_rt
