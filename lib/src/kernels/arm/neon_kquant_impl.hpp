// NEON products of the K-quants Q2_K..Q6_K and IQ4_XS with Q8x256 activations, templated on the 8-bit
// dot product like the Q8_0/Q4_0 kernels (Dot::dot over 32 bytes, Dot::dot16 over 16). A
// super-block's codes are unpacked once per row tile to signed bytes in activation order
// (Q6_K's q - 32 directly, Q4_K's nibbles 0..15, IQ4_XS's grid values), each sub-block's int32 dot is multiplied by
// its integer scale and summed (exact), and a block costs one float FMA per input.
// Included by neon_matmul_impl.hpp inside its anonymous namespace (core/block_formats.hpp is
// included before, outside any target pragma).
#pragma once

namespace kq {

// Q4_K/Q5_K: sub-block 2c is the low nibbles of qs[32c .. 32c+31], 2c+1 the high nibbles;
// Q5_K's 5th bit of element i is bit i / 32 of qh[i % 32].
template <bool Five>
struct K4 {
    static constexpr std::size_t kQs = Five ? 48 : 16;
    static constexpr std::size_t kBytes = Five ? 176 : 144;
    static constexpr int kSubs = 8; // of 32 values: codes[2s], codes[2s+1]
    static constexpr bool kMins = true;
    static void unpack(const std::byte* b, int8x16_t codes[16], int scales[16], int mins[16], float& d, float& dmin)
    {
        d = f16_to_f32(load_u16(b));
        dmin = f16_to_f32(load_u16(b + 2));
        for (std::size_t j = 0; j < 8; ++j) {
            unsigned sc = 0, m = 0;
            blocks::k4_scale_min(b + 4, j, sc, m);
            scales[j] = static_cast<int>(sc);
            mins[j] = static_cast<int>(m);
        }
        const auto* qs = reinterpret_cast<const std::uint8_t*>(b + kQs);
        const uint8x16_t low = vdupq_n_u8(0x0f);
        uint8x16_t qh[2] = {vdupq_n_u8(0), vdupq_n_u8(0)};
        if constexpr (Five) {
            qh[0] = vld1q_u8(reinterpret_cast<const std::uint8_t*>(b + 16));
            qh[1] = vld1q_u8(reinterpret_cast<const std::uint8_t*>(b + 32));
        }
        for (int c = 0; c < 4; ++c) {
            const uint8x16_t p[2] = {vld1q_u8(qs + 32 * c), vld1q_u8(qs + 32 * c + 16)};
            for (int half = 0; half < 2; ++half) {
                uint8x16_t lo = vandq_u8(p[half], low), hi = vshrq_n_u8(p[half], 4);
                if constexpr (Five) {
                    const uint8x16_t one = vdupq_n_u8(1);
                    const uint8x16_t b_lo = vandq_u8(vshlq_u8(qh[half], vdupq_n_s8(static_cast<std::int8_t>(-2 * c))), one);
                    const uint8x16_t b_hi = vandq_u8(vshlq_u8(qh[half], vdupq_n_s8(static_cast<std::int8_t>(-2 * c - 1))), one);
                    lo = vorrq_u8(lo, vshlq_n_u8(b_lo, 4));
                    hi = vorrq_u8(hi, vshlq_n_u8(b_hi, 4));
                }
                codes[4 * c + half] = vreinterpretq_s8_u8(lo);
                codes[4 * c + 2 + half] = vreinterpretq_s8_u8(hi);
            }
        }
    }
};
using Q4K = K4<false>;
using Q5K = K4<true>;

// Q6_K: element 128h + 32p + l has its low 4 bits in ql[64h + l + 32(p%2)] (low nibble for
// p < 2, high for p >= 2), its top 2 bits at bit 2p of qh[32h + l]; the code is that - 32.
struct Q6K {
    static constexpr std::size_t kBytes = 210;
    static constexpr int kSubs = 16; // of 16 values: codes[s]
    static constexpr bool kMins = false;
    static void unpack(const std::byte* b, int8x16_t codes[16], int scales[16], int[16], float& d, float& dmin)
    {
        d = f16_to_f32(load_u16(b + 208));
        dmin = 0.0f;
        for (std::size_t s = 0; s < 16; ++s)
            scales[s] = blocks::q6k_scale(b, s);
        const auto* ql = reinterpret_cast<const std::uint8_t*>(b);
        const auto* qh = reinterpret_cast<const std::uint8_t*>(b + 128);
        const uint8x16_t low = vdupq_n_u8(0x0f), two = vdupq_n_u8(0x03);
        const int8x16_t offset = vdupq_n_s8(32);
        for (int h = 0; h < 2; ++h) {
            const uint8x16_t hb[2] = {vld1q_u8(qh + 32 * h), vld1q_u8(qh + 32 * h + 16)};
            for (int p = 0; p < 4; ++p)
                for (int s = 0; s < 2; ++s) {
                    const uint8x16_t l = vld1q_u8(ql + 64 * h + 32 * (p % 2) + 16 * s);
                    const uint8x16_t nib = p < 2 ? vandq_u8(l, low) : vshrq_n_u8(l, 4);
                    const uint8x16_t top = vandq_u8(vshlq_u8(hb[s], vdupq_n_s8(static_cast<std::int8_t>(-2 * p))), two);
                    const uint8x16_t u = vorrq_u8(nib, vshlq_n_u8(top, 4));
                    codes[8 * h + 2 * p + s] = vsubq_s8(vreinterpretq_s8_u8(u), offset);
                }
        }
    }
};

// Q2_K / Q3_K: element 128h + 32p + 16s + l is bits 2p..2p+1 of byte 16s + l of the half's 32
// q bytes (Q2_K's at byte 16, Q3_K's at byte 32): sub-block 8h + 2p + s, codes[8h + 2p + s].
// Q2_K's byte j of scales[16] holds sub-block j's scale (low nibble) and min (high nibble).
struct Q2K {
    static constexpr std::size_t kBytes = 84;
    static constexpr int kSubs = 16;
    static constexpr bool kMins = true;
    static void unpack(const std::byte* b, int8x16_t codes[16], int scales[16], int mins[16], float& d, float& dmin)
    {
        d = f16_to_f32(load_u16(b + 80));
        dmin = f16_to_f32(load_u16(b + 82));
        for (std::size_t s = 0; s < 16; ++s) {
            scales[s] = static_cast<int>(blocks::u8(b + s) & 15u);
            mins[s] = static_cast<int>(blocks::u8(b + s) >> 4);
        }
        const auto* qs = reinterpret_cast<const std::uint8_t*>(b + 16);
        const uint8x16_t three = vdupq_n_u8(3);
        for (int h = 0; h < 2; ++h)
            for (int s = 0; s < 2; ++s) {
                const uint8x16_t q = vld1q_u8(qs + 32 * h + 16 * s);
                for (int p = 0; p < 4; ++p)
                    codes[8 * h + 2 * p + s] =
                        vreinterpretq_s8_u8(vandq_u8(vshlq_u8(q, vdupq_n_s8(static_cast<std::int8_t>(-2 * p))), three));
            }
    }
};

// Q3_K: Q2_K's two low bits plus bit 4h + p of hmask[16s + l] (bytes 0-31), minus 4 unless
// that bit is set. Scales: blocks::q3k_scale - 32.
struct Q3K {
    static constexpr std::size_t kBytes = 110;
    static constexpr int kSubs = 16;
    static constexpr bool kMins = false;
    static void unpack(const std::byte* b, int8x16_t codes[16], int scales[16], int[16], float& d, float& dmin)
    {
        d = f16_to_f32(load_u16(b + 108));
        dmin = 0.0f;
        for (std::size_t s = 0; s < 16; ++s)
            scales[s] = blocks::q3k_scale(b + 96, s) - 32;
        const auto* qs = reinterpret_cast<const std::uint8_t*>(b + 32);
        const auto* hm = reinterpret_cast<const std::uint8_t*>(b);
        const uint8x16_t three = vdupq_n_u8(3), one = vdupq_n_u8(1);
        const int8x16_t four = vdupq_n_s8(4);
        for (int h = 0; h < 2; ++h)
            for (int s = 0; s < 2; ++s) {
                const uint8x16_t q = vld1q_u8(qs + 32 * h + 16 * s), m = vld1q_u8(hm + 16 * s);
                for (int p = 0; p < 4; ++p) {
                    const uint8x16_t low = vandq_u8(vshlq_u8(q, vdupq_n_s8(static_cast<std::int8_t>(-2 * p))), three);
                    const uint8x16_t hb = vandq_u8(vshlq_u8(m, vdupq_n_s8(static_cast<std::int8_t>(-4 * h - p))), one);
                    const uint8x16_t u = vorrq_u8(low, vshlq_n_u8(hb, 2));
                    codes[8 * h + 2 * p + s] = vsubq_s8(vreinterpretq_s8_u8(u), four);
                }
            }
    }
};

// IQ4_XS: sub-block s (32 values) is the nibble row qs[16s .. 16s+15] (qs at byte 8), each
// nibble an index into kIq4Grid; scale blocks::iq4xs_scale - 32.
struct IQ4XS {
    static constexpr std::size_t kBytes = 136;
    static constexpr int kSubs = 8;
    static constexpr bool kMins = false;
    static void unpack(const std::byte* b, int8x16_t codes[16], int scales[16], int[16], float& d, float& dmin)
    {
        d = f16_to_f32(load_u16(b));
        dmin = 0.0f;
        const int8x16_t grid = vld1q_s8(blocks::kIq4Grid.data());
        const auto* qs = reinterpret_cast<const std::uint8_t*>(b + 8);
        for (int s = 0; s < 8; ++s) {
            scales[s] = blocks::iq4xs_scale(b, static_cast<std::size_t>(s)) - 32;
            const uint8x16_t p = vld1q_u8(qs + 16 * s);
            codes[2 * s] = vqtbl1q_s8(grid, vandq_u8(p, vdupq_n_u8(0x0f)));
            codes[2 * s + 1] = vqtbl1q_s8(grid, vshrq_n_u8(p, 4));
        }
    }
};

// sum over the 16 activation sums of a super-block of sum * min (Q2_K: one min per 16 values;
// the others one per 32, covering sums 2j and 2j+1): exact in int32.
template <class W>
int32x4_t min_sums(const std::int16_t* bs, const int mins[16])
{
    if constexpr (W::kSubs == 8) {
        const int32x4_t m_lo = {mins[0], mins[1], mins[2], mins[3]}, m_hi = {mins[4], mins[5], mins[6], mins[7]};
        const int32x4_t pair_lo = vpaddlq_s16(vld1q_s16(bs)), pair_hi = vpaddlq_s16(vld1q_s16(bs + 8));
        return vmlaq_s32(vmulq_s32(pair_lo, m_lo), pair_hi, m_hi);
    } else {
        int16_t m16[16];
        for (int i = 0; i < 16; ++i)
            m16[i] = static_cast<std::int16_t>(mins[i]);
        const int16x8_t a = vld1q_s16(bs), c = vld1q_s16(bs + 8), ma = vld1q_s16(m16), mc = vld1q_s16(m16 + 8);
        int32x4_t s = vmull_s16(vget_low_s16(a), vget_low_s16(ma));
        s = vmlal_high_s16(s, a, ma);
        s = vmlal_s16(s, vget_low_s16(c), vget_low_s16(mc));
        return vmlal_high_s16(s, c, mc);
    }
}

template <class Dot, class W, int T>
void row_tile(const WeightView& w, std::size_t stride, const std::byte* xq, float* y, std::size_t r, std::size_t t)
{
    const std::size_t nb = w.cols / blocks::kSuperBlock;
    const std::byte* row = w.data + r * stride;
    XkRow xr[T];
    float32x4_t acc[T], accm[T];
    for (int j = 0; j < T; ++j) {
        xr[j] = xk_row(xq, nb, t + j);
        acc[j] = vdupq_n_f32(0.0f);
        accm[j] = vdupq_n_f32(0.0f);
    }
    for (std::size_t k = 0; k < nb; ++k) {
        int8x16_t codes[16];
        int scales[16], mins[16] = {};
        float d = 0.0f, dmin = 0.0f;
        W::unpack(row + k * W::kBytes, codes, scales, mins, d, dmin);
        for (int j = 0; j < T; ++j) {
            const std::int8_t* xb = xr[j].q + 256 * k;
            int32x4_t isum = vdupq_n_s32(0);
            for (int s = 0; s < W::kSubs; ++s) {
                int32x4_t dot;
                if constexpr (W::kSubs == 8)
                    dot = Dot::dot({{codes[2 * s], codes[2 * s + 1]}}, {{vld1q_s8(xb + 32 * s), vld1q_s8(xb + 32 * s + 16)}});
                else
                    dot = Dot::dot16(codes[s], vld1q_s8(xb + 16 * s));
                isum = vmlaq_n_s32(isum, dot, scales[s]);
            }
            const float dx = xr[j].d[k];
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(isum), d * dx);
            if constexpr (W::kMins)
                accm[j] = vfmaq_n_f32(accm[j], vcvtq_f32_s32(min_sums<W>(xr[j].bsum + 16 * k, mins)), dmin * dx);
        }
    }
    for (int j = 0; j < T; ++j)
        y[(t + j) * w.rows + r] = vaddvq_f32(acc[j]) - vaddvq_f32(accm[j]);
}

template <class Dot, class W>
void rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<1, 2>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        row_tile<Dot, W, T>(w, stride, xq, y, r, t);
    });
}

/// Rows of a Q2_K .. Q6_K / IQ4_XS matrix; false for other types.
template <class Dot>
bool kquant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    switch (w.dtype) {
    case DType::Q4_K: rows<Dot, Q4K>(w, xq, n, y, r0, r1); return true;
    case DType::Q5_K: rows<Dot, Q5K>(w, xq, n, y, r0, r1); return true;
    case DType::Q6_K: rows<Dot, Q6K>(w, xq, n, y, r0, r1); return true;
    case DType::Q2_K: rows<Dot, Q2K>(w, xq, n, y, r0, r1); return true;
    case DType::Q3_K: rows<Dot, Q3K>(w, xq, n, y, r0, r1); return true;
    case DType::IQ4_XS: rows<Dot, IQ4XS>(w, xq, n, y, r0, r1); return true;
    default: return false;
    }
}

} // namespace kq
