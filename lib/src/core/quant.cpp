#include "core/quant.hpp"

#include "core/half.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace edge_rt {
namespace {

void check_sizes(std::size_t n_values, std::size_t n_bytes, std::size_t block_bytes, const char* what)
{
    if (n_values % kQuantBlockElems != 0 || n_bytes != n_values / kQuantBlockElems * block_bytes)
        throw std::invalid_argument(std::string(what) + ": row of " + std::to_string(n_values) +
                                    " values does not match " + std::to_string(n_bytes) + " bytes");
}

std::uint16_t load_u16(const std::byte* p)
{
    // Little-endian on disk; assemble explicitly so big-endian hosts read it right too.
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) |
                                      (std::to_integer<unsigned>(p[1]) << 8));
}

void store_u16(std::byte* p, std::uint16_t v)
{
    p[0] = static_cast<std::byte>(v & 0xffu);
    p[1] = static_cast<std::byte>(v >> 8);
}

} // namespace

void quantize_row_q8_0(std::span<const float> x, std::span<std::byte> out)
{
    check_sizes(x.size(), out.size(), kQ8_0BlockBytes, "Q8_0 quantise");
    for (std::size_t b = 0; b < x.size() / kQuantBlockElems; ++b) {
        const float* xb = x.data() + b * kQuantBlockElems;
        std::byte* ob = out.data() + b * kQ8_0BlockBytes;
        float amax = 0.0f;
        for (std::size_t i = 0; i < kQuantBlockElems; ++i)
            amax = std::max(amax, std::fabs(xb[i]));
        // The scale used for rounding is the float one; the stored (and decoded) one is its f16.
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        store_u16(ob, f32_to_f16(d));
        for (std::size_t i = 0; i < kQuantBlockElems; ++i) {
            const auto q = static_cast<std::int8_t>(std::lround(xb[i] * id));
            ob[2 + i] = static_cast<std::byte>(q);
        }
    }
}

void quantize_row_q4_0(std::span<const float> x, std::span<std::byte> out)
{
    check_sizes(x.size(), out.size(), kQ4_0BlockBytes, "Q4_0 quantise");
    constexpr std::size_t half = kQuantBlockElems / 2;
    for (std::size_t b = 0; b < x.size() / kQuantBlockElems; ++b) {
        const float* xb = x.data() + b * kQuantBlockElems;
        std::byte* ob = out.data() + b * kQ4_0BlockBytes;
        float amax = 0.0f;
        float m = 0.0f; // the signed value of largest magnitude: it maps exactly to q = 0
        for (std::size_t i = 0; i < kQuantBlockElems; ++i) {
            if (std::fabs(xb[i]) > amax) {
                amax = std::fabs(xb[i]);
                m = xb[i];
            }
        }
        const float d = m / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        store_u16(ob, f32_to_f16(d));
        const auto nibble = [&](float v) {
            // x/d lies in [-8, 8]; +8.5 then floor rounds half up; 16 (x/d near +8) clamps to 15.
            const float shifted = std::floor(v * id + 8.5f);
            return static_cast<unsigned>(std::clamp(shifted, 0.0f, 15.0f));
        };
        for (std::size_t j = 0; j < half; ++j)
            ob[2 + j] = static_cast<std::byte>(nibble(xb[j]) | (nibble(xb[j + half]) << 4));
    }
}

void dequantize_row_q8_0(std::span<const std::byte> in, std::span<float> out)
{
    check_sizes(out.size(), in.size(), kQ8_0BlockBytes, "Q8_0 dequantise");
    for (std::size_t b = 0; b < out.size() / kQuantBlockElems; ++b) {
        const std::byte* ib = in.data() + b * kQ8_0BlockBytes;
        const float d = f16_to_f32(load_u16(ib));
        for (std::size_t i = 0; i < kQuantBlockElems; ++i) {
            const auto q = static_cast<std::int8_t>(std::to_integer<std::uint8_t>(ib[2 + i]));
            out[b * kQuantBlockElems + i] = d * static_cast<float>(q);
        }
    }
}

void dequantize_row_q4_0(std::span<const std::byte> in, std::span<float> out)
{
    check_sizes(out.size(), in.size(), kQ4_0BlockBytes, "Q4_0 dequantise");
    constexpr std::size_t half = kQuantBlockElems / 2;
    for (std::size_t b = 0; b < out.size() / kQuantBlockElems; ++b) {
        const std::byte* ib = in.data() + b * kQ4_0BlockBytes;
        const float d = f16_to_f32(load_u16(ib));
        float* ob = out.data() + b * kQuantBlockElems;
        for (std::size_t j = 0; j < half; ++j) {
            const unsigned byte = std::to_integer<unsigned>(ib[2 + j]);
            ob[j] = d * static_cast<float>(static_cast<int>(byte & 0x0fu) - 8);
            ob[j + half] = d * static_cast<float>(static_cast<int>(byte >> 4) - 8);
        }
    }
}

} // namespace edge_rt
