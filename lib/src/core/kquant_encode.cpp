#include "core/kquant_encode.hpp"

#include "core/half.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace edge_rt {
namespace {

constexpr std::size_t kBlock = 256;

void check(std::size_t n, std::size_t bytes, std::size_t block_bytes, const char* what)
{
    if (n % kBlock != 0 || bytes != n / kBlock * block_bytes)
        throw std::invalid_argument(std::string(what) + ": row of " + std::to_string(n) + " values does not match " +
                                    std::to_string(bytes) + " bytes");
}

void put_f16(std::byte* p, float v)
{
    const std::uint16_t h = f32_to_f16(v);
    p[0] = static_cast<std::byte>(h & 0xffu);
    p[1] = static_cast<std::byte>(h >> 8);
}

void or_byte(std::byte* p, unsigned bits) { *p |= static_cast<std::byte>(bits); }

int round_clamp(float v, int lo, int hi) { return std::clamp(static_cast<int>(std::lround(v)), lo, hi); }

// The 6-bit scales and mins of 8 sub-blocks in Q4_K/Q5_K's 12 bytes (see k4_scale_min).
void pack_k4_scales(std::byte* sc, const std::array<int, 8>& ls, const std::array<int, 8>& lm)
{
    for (std::size_t j = 0; j < 8; ++j) {
        const auto s = static_cast<unsigned>(ls[j]), m = static_cast<unsigned>(lm[j]);
        if (j < 4) {
            or_byte(sc + j, s);
            or_byte(sc + j + 4, m);
        } else {
            or_byte(sc + j + 4, (s & 15u) | ((m & 15u) << 4));
            or_byte(sc + j - 4, (s >> 4) << 6);
            or_byte(sc + j, (m >> 4) << 6);
        }
    }
}

void q4_k_block(const float* x, std::byte* b)
{
    std::fill(b, b + 144, std::byte{0});
    std::array<float, 8> scale{}, min{};
    for (std::size_t j = 0; j < 8; ++j) {
        const auto [lo, hi] = std::minmax_element(x + 32 * j, x + 32 * j + 32);
        const float mn = std::min(0.0f, *lo);
        scale[j] = (*hi - mn) / 15.0f;
        min[j] = -mn;
    }
    const float d = f16_to_f32(f32_to_f16(*std::max_element(scale.begin(), scale.end()) / 63.0f));
    const float dmin = f16_to_f32(f32_to_f16(*std::max_element(min.begin(), min.end()) / 63.0f));
    std::array<int, 8> ls{}, lm{};
    for (std::size_t j = 0; j < 8; ++j) {
        ls[j] = d > 0.0f ? round_clamp(scale[j] / d, 0, 63) : 0;
        lm[j] = dmin > 0.0f ? round_clamp(min[j] / dmin, 0, 63) : 0;
    }
    put_f16(b, d);
    put_f16(b + 2, dmin);
    pack_k4_scales(b + 4, ls, lm);
    for (std::size_t i = 0; i < kBlock; ++i) {
        const std::size_t j = i / 32;
        const float step = d * static_cast<float>(ls[j]);
        const float offset = dmin * static_cast<float>(lm[j]);
        const int q = step > 0.0f ? round_clamp((x[i] + offset) / step, 0, 15) : 0;
        // element 64c + l: low nibble of byte 32c + l; 64c + 32 + l: its high nibble
        const std::size_t c = i / 64, l = i % 32;
        or_byte(b + 16 + 32 * c + l, static_cast<unsigned>(q) << ((i % 64) < 32 ? 0 : 4));
    }
}

void q6_k_block(const float* x, std::byte* b)
{
    std::fill(b, b + 210, std::byte{0});
    std::array<float, 16> scale{};
    for (std::size_t j = 0; j < 16; ++j) {
        float amax = 0.0f;
        for (std::size_t i = 16 * j; i < 16 * j + 16; ++i)
            amax = std::max(amax, std::fabs(x[i]));
        scale[j] = amax / 31.0f;
    }
    const float d = f16_to_f32(f32_to_f16(*std::max_element(scale.begin(), scale.end()) / 127.0f));
    std::array<int, 16> ls{};
    for (std::size_t j = 0; j < 16; ++j) {
        ls[j] = d > 0.0f ? round_clamp(scale[j] / d, 0, 127) : 0;
        b[192 + j] = static_cast<std::byte>(static_cast<std::uint8_t>(ls[j]));
    }
    put_f16(b + 208, d);
    for (std::size_t i = 0; i < kBlock; ++i) {
        const float step = d * static_cast<float>(ls[i / 16]);
        const int q = step > 0.0f ? round_clamp(x[i] / step, -32, 31) : 0;
        const auto u = static_cast<unsigned>(q + 32);
        // element 128h + 32p + l: 4 low bits in ql[64h + l + 32*(p%2)] (low nibble for p < 2),
        // 2 high bits at bit 2p of qh[32h + l]
        const std::size_t h = i / 128, p = (i % 128) / 32, l = i % 32;
        or_byte(b + 64 * h + l + 32 * (p % 2), (u & 15u) << (p < 2 ? 0 : 4));
        or_byte(b + 128 + 32 * h + l, (u >> 4) << (2 * p));
    }
}

} // namespace

void quantize_row_q4_k(std::span<const float> x, std::span<std::byte> out)
{
    check(x.size(), out.size(), 144, "Q4_K quantise");
    for (std::size_t b = 0; b < x.size() / kBlock; ++b)
        q4_k_block(x.data() + b * kBlock, out.data() + b * 144);
}

void quantize_row_q6_k(std::span<const float> x, std::span<std::byte> out)
{
    check(x.size(), out.size(), 210, "Q6_K quantise");
    for (std::size_t b = 0; b < x.size() / kBlock; ++b)
        q6_k_block(x.data() + b * kBlock, out.data() + b * 210);
}

} // namespace edge_rt
