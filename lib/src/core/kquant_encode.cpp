#include "core/kquant_encode.hpp"

#include "core/half.hpp"
#include "core/kquant_fit.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace edge_rt {
namespace {

using quant_fit::KFit;
using quant_fit::KSpec;

constexpr std::size_t kBlock = 256;

// Integer ranges of each format (ggml-common.h): codes, sub-block scales, mins.
constexpr KSpec kQ2K{16, 0, 3, 0, 15, true, 15};
constexpr KSpec kQ3K{16, -4, 3, -32, 31, false};
constexpr KSpec kQ4K{8, 0, 15, 0, 63, true, 63};
constexpr KSpec kQ5K{8, 0, 31, 0, 63, true, 63};
constexpr KSpec kQ6K{16, -32, 31, -128, 127, false};

void put_f16(std::byte* p, float v)
{
    const std::uint16_t h = f32_to_f16(v);
    p[0] = static_cast<std::byte>(h & 0xffu);
    p[1] = static_cast<std::byte>(h >> 8);
}

void or_byte(std::byte* p, unsigned bits) { *p |= static_cast<std::byte>(bits); }

unsigned u(int v) { return static_cast<unsigned>(v); }

// The 6-bit scales and mins of 8 sub-blocks in Q4_K/Q5_K's 12 bytes (see k4_scale_min).
void pack_k4_scales(std::byte* sc, const KFit& f)
{
    for (std::size_t j = 0; j < 8; ++j) {
        const unsigned s = u(f.ls[j]), m = u(f.lm[j]);
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

// Q2_K/Q3_K/Q6_K walk halves of 128: element 128h + 32p + l uses byte l of the half's 32
// code bytes, bits 2p and 2p+1 (block_formats.hpp, q2k_code).
void pack_2bit(std::byte* qs, std::size_t i, unsigned code)
{
    const std::size_t h = i / 128, p = (i % 128) / 32, l = i % 32;
    or_byte(qs + 32 * h + l, (code & 3u) << (2 * p));
}

void q2_k_block(const float* x, std::byte* b)
{
    const KFit f = quant_fit::fit_kquant(x, kQ2K);
    for (std::size_t s = 0; s < 16; ++s)
        b[s] = static_cast<std::byte>(u(f.ls[s]) | (u(f.lm[s]) << 4));
    for (std::size_t i = 0; i < kBlock; ++i)
        pack_2bit(b + 16, i, u(f.q[i]));
    put_f16(b + 80, f.d);
    put_f16(b + 82, f.dmin);
}

void q3_k_block(const float* x, std::byte* b)
{
    const KFit f = quant_fit::fit_kquant(x, kQ3K);
    for (std::size_t i = 0; i < kBlock; ++i) {
        const unsigned v = u(f.q[i] + 4); // 0..7: 2 low bits in qs, the third in hmask
        pack_2bit(b + 32, i, v & 3u);
        const std::size_t h = i / 128, p = (i % 128) / 32, l = i % 32;
        or_byte(b + l, (v >> 2) << (4 * h + p));
    }
    for (std::size_t s = 0; s < 16; ++s) { // 6-bit s+32: low nibble, then 2 bits (q3k_scale)
        const unsigned v = u(f.ls[s] + 32);
        or_byte(b + 96 + s % 8, (v & 15u) << (s < 8 ? 0 : 4));
        or_byte(b + 104 + s % 4, (v >> 4) << (2 * (s / 4)));
    }
    put_f16(b + 108, f.d);
}

// Q4_K and Q5_K: element 64c + l takes the low nibble of byte 32c + l, 64c + 32 + l the high.
void pack_nibble(std::byte* qs, std::size_t i, unsigned code)
{
    or_byte(qs + 32 * (i / 64) + i % 32, (code & 15u) << ((i % 64) < 32 ? 0 : 4));
}

void q4_k_block(const float* x, std::byte* b)
{
    const KFit f = quant_fit::fit_kquant(x, kQ4K);
    put_f16(b, f.d);
    put_f16(b + 2, f.dmin);
    pack_k4_scales(b + 4, f);
    for (std::size_t i = 0; i < kBlock; ++i)
        pack_nibble(b + 16, i, u(f.q[i]));
}

void q5_k_block(const float* x, std::byte* b)
{
    const KFit f = quant_fit::fit_kquant(x, kQ5K);
    put_f16(b, f.d);
    put_f16(b + 2, f.dmin);
    pack_k4_scales(b + 4, f);
    for (std::size_t i = 0; i < kBlock; ++i) {
        pack_nibble(b + 48, i, u(f.q[i]));
        or_byte(b + 16 + i % 32, (u(f.q[i]) >> 4) << (i / 32));
    }
}

void q6_k_block(const float* x, std::byte* b)
{
    const KFit f = quant_fit::fit_kquant(x, kQ6K);
    for (std::size_t s = 0; s < 16; ++s)
        b[192 + s] = static_cast<std::byte>(static_cast<std::uint8_t>(static_cast<std::int8_t>(f.ls[s])));
    put_f16(b + 208, f.d);
    for (std::size_t i = 0; i < kBlock; ++i) {
        const unsigned v = u(f.q[i] + 32);
        // 4 low bits in ql[64h + l + 32*(p%2)] (low nibble for p < 2), 2 high bits in qh
        const std::size_t h = i / 128, p = (i % 128) / 32, l = i % 32;
        or_byte(b + 64 * h + l + 32 * (p % 2), (v & 15u) << (p < 2 ? 0 : 4));
        pack_2bit(b + 128, i, v >> 4);
    }
}

void encode(std::span<const float> x, std::span<std::byte> out, std::size_t block_bytes, const char* what,
            void (*block)(const float*, std::byte*))
{
    if (x.size() % kBlock != 0 || out.size() != x.size() / kBlock * block_bytes)
        throw std::invalid_argument(std::string(what) + ": row of " + std::to_string(x.size()) +
                                    " values does not match " + std::to_string(out.size()) + " bytes");
    std::fill(out.begin(), out.end(), std::byte{0});
    for (std::size_t b = 0; b < x.size() / kBlock; ++b)
        block(x.data() + b * kBlock, out.data() + b * block_bytes);
}

} // namespace

void quantize_row_q2_k(std::span<const float> x, std::span<std::byte> out) { encode(x, out, 84, "Q2_K quantise", q2_k_block); }
void quantize_row_q3_k(std::span<const float> x, std::span<std::byte> out) { encode(x, out, 110, "Q3_K quantise", q3_k_block); }
void quantize_row_q4_k(std::span<const float> x, std::span<std::byte> out) { encode(x, out, 144, "Q4_K quantise", q4_k_block); }
void quantize_row_q5_k(std::span<const float> x, std::span<std::byte> out) { encode(x, out, 176, "Q5_K quantise", q5_k_block); }
void quantize_row_q6_k(std::span<const float> x, std::span<std::byte> out) { encode(x, out, 210, "Q6_K quantise", q6_k_block); }

} // namespace edge_rt
