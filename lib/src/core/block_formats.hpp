// Byte layouts of GGML's block formats beyond Q8_0/Q4_0 (facts of the GGUF format, as
// ggml-common.h defines them), and the small unpacking steps that both the dequantisers and
// the quantised dot products need. All multi-byte fields are little-endian; blocks are read
// byte by byte (GGUF data is not aligned beyond 2 bytes within a row).
//
// 32-value blocks (x_i for i in 0..31; a "nibble row" stores element j in the low nibble of
// byte j and element j+16 in its high nibble):
//   Q4_1   d f16 | m f16 | 16 nibble bytes                  x = d*q + m         (q 0..15)
//   Q5_0   d f16 | qh u32 | 16 nibble bytes                 x = d*(q - 16)      (q 0..31)
//   Q5_1   d f16 | m f16 | qh u32 | 16 nibble bytes         x = d*q + m         (q 0..31)
//          Q5's 5th bit of element i is bit i of qh.
//   IQ4_NL d f16 | 16 nibble bytes                          x = d*kIq4Grid[q]
//
// 256-value "super-blocks" (the K-quants), split into sub-blocks with their own scales:
//   Q2_K  scales[16] | qs[64] | d f16 | dmin f16            16 sub-blocks of 16:
//         x = d*(sc&15)*q - dmin*(sc>>4), q 2 bits. Element 128h + 32s' ... see q2k_code.
//   Q3_K  hmask[32] | qs[64] | scales[12] | d f16           16 sub-blocks of 16:
//         x = d*(s - 32)*(q - 4*!h), s 6 bits (q3k_scales), q 2 bits, h the hmask bit.
//   Q4_K  d f16 | dmin f16 | scales[12] | qs[128]           8 sub-blocks of 32:
//         x = d*s*q - dmin*m, s and m 6 bits (k4_scale_min), q 4 bits.
//   Q5_K  d f16 | dmin f16 | scales[12] | qh[32] | qs[128]  as Q4_K with a 5th bit from qh.
//   Q6_K  ql[128] | qh[64] | scales[16] int8 | d f16        16 sub-blocks of 16:
//         x = d*s*(q - 32), q 6 bits.
//   IQ4_XS d f16 | scales_h u16 | scales_l[4] | qs[128]     8 sub-blocks of 32:
//         x = d*(s - 32)*kIq4Grid[q], s 6 bits (iq4xs_scale).
// The element order inside a super-block is given by the code functions below; they return
// the integer code of element i so every consumer walks the same definition.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace edge_rt::blocks {

inline constexpr std::size_t kSuperBlock = 256;

/// The 16 values IQ4_NL and IQ4_XS indices select (a table of the format).
inline constexpr std::array<std::int8_t, 16> kIq4Grid{-127, -104, -83, -65, -49, -35, -22, -10,
                                                      1,    13,   25,  38,  53,  69,  89,  113};

inline unsigned u8(const std::byte* p) { return std::to_integer<unsigned>(*p); }
inline std::uint16_t u16(const std::byte* p) { return static_cast<std::uint16_t>(u8(p) | (u8(p + 1) << 8)); }
inline std::uint32_t u32(const std::byte* p)
{
    return static_cast<std::uint32_t>(u16(p)) | (static_cast<std::uint32_t>(u16(p + 2)) << 16);
}

/// Element i (0..31) of a nibble row of 16 bytes.
inline unsigned nibble(const std::byte* qs, std::size_t i) { return i < 16 ? u8(qs + i) & 15u : u8(qs + i - 16) >> 4; }

/// Q4_K/Q5_K: the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes.
/// Sub-blocks 0-3 keep theirs in the low 6 bits of bytes j and j+4; 4-7 take 4 bits from byte
/// j+4 (low nibble: scale, high: min) and their top 2 bits from the spare bits of bytes j-4, j.
inline void k4_scale_min(const std::byte* sc, std::size_t j, unsigned& scale, unsigned& min)
{
    if (j < 4) {
        scale = u8(sc + j) & 63u;
        min = u8(sc + j + 4) & 63u;
    } else {
        scale = (u8(sc + j + 4) & 15u) | ((u8(sc + j - 4) >> 6) << 4);
        min = (u8(sc + j + 4) >> 4) | ((u8(sc + j) >> 6) << 4);
    }
}

/// Q3_K: the 6-bit scale (0..63, used as s - 32) of sub-block i (0..15): low 4 bits from a
/// nibble of bytes 0-7, top 2 bits from bytes 8-11.
inline int q3k_scale(const std::byte* sc, std::size_t i)
{
    const unsigned low = i < 8 ? u8(sc + i) & 15u : u8(sc + i - 8) >> 4;
    const unsigned high = (u8(sc + 8 + i % 4) >> (2 * (i / 4))) & 3u;
    return static_cast<int>(low | (high << 4));
}

/// IQ4_XS: the 6-bit scale (used as s - 32) of sub-block j (0..7).
inline int iq4xs_scale(const std::byte* block, std::size_t j)
{
    const unsigned low = (u8(block + 4 + j / 2) >> (4 * (j % 2))) & 15u;
    const unsigned high = (u16(block + 2) >> (2 * j)) & 3u;
    return static_cast<int>(low | (high << 4));
}

// Codes of element i (0..255) of a super-block. Q2_K, Q3_K and Q6_K walk two halves of 128;
// inside a half, element 32*p + l (p 0..3, l 0..31) takes bits 2p.. of byte l of the half's
// 32 q bytes (Q6_K: 4 low bits from one of 64 ql bytes, 2 high bits from qh). Q4_K/Q5_K walk
// four 64-value chunks; element 64c + l takes the low nibble of byte 32c + l, 64c + 32 + l
// its high nibble.

/// Q2_K: 2-bit code (0..3) of element i.
inline int q2k_code(const std::byte* block, std::size_t i)
{
    const std::size_t half = i / 128, p = (i % 128) / 32, l = i % 32;
    return static_cast<int>((u8(block + 16 + 32 * half + l) >> (2 * p)) & 3u);
}

/// Q3_K: signed 3-bit code (-4..3) of element i: the 2-bit code minus 4 unless its hmask bit is set.
inline int q3k_code(const std::byte* block, std::size_t i)
{
    const std::size_t half = i / 128, p = (i % 128) / 32, l = i % 32;
    const int low = static_cast<int>((u8(block + 32 + 32 * half + l) >> (2 * p)) & 3u);
    const bool high = (u8(block + l) >> (4 * half + p)) & 1u;
    return low - (high ? 0 : 4);
}

/// Q4_K: 4-bit code of element i.
inline int q4k_code(const std::byte* block, std::size_t i)
{
    const std::size_t c = i / 64, l = i % 32;
    const unsigned byte = u8(block + 16 + 32 * c + l);
    return static_cast<int>((i % 64) < 32 ? byte & 15u : byte >> 4);
}

/// Q5_K: 5-bit code of element i: Q4_K's nibble (at offset 48) plus bit (i/32) of qh[i%32].
inline int q5k_code(const std::byte* block, std::size_t i)
{
    const std::size_t c = i / 64, l = i % 32;
    const unsigned byte = u8(block + 48 + 32 * c + l);
    const unsigned low = (i % 64) < 32 ? byte & 15u : byte >> 4;
    const unsigned high = (u8(block + 16 + l) >> (i / 32)) & 1u;
    return static_cast<int>(low | (high << 4));
}

/// Q6_K: signed 6-bit code (-32..31) of element i.
inline int q6k_code(const std::byte* block, std::size_t i)
{
    const std::size_t half = i / 128, p = (i % 128) / 32, l = i % 32;
    const unsigned ql = u8(block + 64 * half + l + (p % 2) * 32);
    const unsigned low = p < 2 ? ql & 15u : ql >> 4;
    const unsigned high = (u8(block + 128 + 32 * half + l) >> (2 * p)) & 3u;
    return static_cast<int>(low | (high << 4)) - 32;
}

/// Q6_K: the int8 scale of sub-block i/16.
inline int q6k_scale(const std::byte* block, std::size_t sub)
{
    return static_cast<std::int8_t>(u8(block + 192 + sub));
}

/// IQ4_XS: grid index (0..15) of element i: sub-block i/32 is a nibble row of 16 bytes.
inline unsigned iq4xs_index(const std::byte* block, std::size_t i)
{
    return nibble(block + 8 + 16 * (i / 32), i % 32);
}

} // namespace edge_rt::blocks
