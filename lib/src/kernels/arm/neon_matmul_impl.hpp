// The NEON matrix kernels, templated on the 8-bit block dot product. Included by
// neon_matmul.cpp (widening multiplies, any Armv8) and neon_dotprod_matmul.cpp (sdot, after a
// target pragma), so each file compiles every loop for its own instruction set.
#pragma once

#include "core/block_formats.hpp"
#include "core/half.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/row_tiles.hpp"
#include "kernels/scalar/scalar.hpp"

#include <arm_neon.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace edge_rt::kernels::neon {
// Internal linkage: each including file compiles these for its own target, and the linker
// must never swap one file's copy for another's.
namespace {

std::uint16_t load_u16(const std::byte* p)
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

const std::uint16_t* u16(const std::byte* p) { return reinterpret_cast<const std::uint16_t*>(p); }

struct F32 {
    static float32x4_t load4(const std::byte* row, std::size_t c)
    {
        return vld1q_f32(reinterpret_cast<const float*>(row) + c);
    }
    static float load1(const std::byte* row, std::size_t c)
    {
        float v;
        std::memcpy(&v, row + 4 * c, 4);
        return v;
    }
};
struct F16 {
    static float32x4_t load4(const std::byte* row, std::size_t c)
    {
        return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(u16(row + 2 * c))));
    }
    static float load1(const std::byte* row, std::size_t c) { return f16_to_f32(load_u16(row + 2 * c)); }
};
struct BF16 {
    static float32x4_t load4(const std::byte* row, std::size_t c)
    {
        return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(u16(row + 2 * c)), 16));
    }
    static float load1(const std::byte* row, std::size_t c) { return bf16_to_f32(load_u16(row + 2 * c)); }
};

// A block's 32 weights as two vectors of 16 signed bytes.
struct Q8 {
    static constexpr std::size_t kBytes = 34;
    static constexpr bool kMin = false;
    static int8x16x2_t load(const std::byte* b)
    {
        const auto* q = reinterpret_cast<const std::int8_t*>(b + 2);
        return {{vld1q_s8(q), vld1q_s8(q + 16)}};
    }
};
struct Q4 {
    static constexpr std::size_t kBytes = 18;
    static constexpr bool kMin = false;
    static int8x16x2_t load(const std::byte* b)
    {
        const uint8x16_t packed = vld1q_u8(reinterpret_cast<const std::uint8_t*>(b + 2));
        const int8x16_t eight = vdupq_n_s8(8);
        const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(0x0f))), eight);
        const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(packed, 4)), eight);
        return {{lo, hi}};
    }
};

// Byte i of a nibble row's 16 bytes split into elements i (low nibble) and i + 16 (high).
uint8x16x2_t nibbles(const std::byte* p)
{
    const uint8x16_t packed = vld1q_u8(reinterpret_cast<const std::uint8_t*>(p));
    return {{vandq_u8(packed, vdupq_n_u8(0x0f)), vshrq_n_u8(packed, 4)}};
}

// Byte i is 16 when bit i of `bits` (16 bits) is set, else 0: Q5's 5th bits in element order.
uint8x16_t fifth_bits(unsigned bits)
{
    const uint8x16_t bytes = vcombine_u8(vdup_n_u8(static_cast<std::uint8_t>(bits & 0xff)),
                                         vdup_n_u8(static_cast<std::uint8_t>((bits >> 8) & 0xff)));
    const uint8x16_t select = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    return vandq_u8(vtstq_u8(bytes, select), vdupq_n_u8(16));
}

// Q5_0: d f16 | qh u32 | nibble row; x = d * (nibble | bit i of qh << 4) - 16.
struct Q5 {
    static constexpr std::size_t kBytes = 22;
    static constexpr bool kMin = false;
    static int8x16x2_t load(const std::byte* b)
    {
        const uint8x16x2_t n = nibbles(b + 6);
        const std::uint32_t qh = blocks::u32(b + 2);
        const int8x16_t sixteen = vdupq_n_s8(16);
        return {{vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(n.val[0], fifth_bits(qh & 0xffffu))), sixteen),
                 vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(n.val[1], fifth_bits(qh >> 16))), sixteen)}};
    }
};
// IQ4_NL: d f16 | nibble row of indices into kIq4Grid (tbl looks them up).
struct IQ4NL {
    static constexpr std::size_t kBytes = 18;
    static constexpr bool kMin = false;
    static int8x16x2_t load(const std::byte* b)
    {
        const int8x16_t grid = vld1q_s8(blocks::kIq4Grid.data());
        const uint8x16x2_t n = nibbles(b + 2);
        return {{vqtbl1q_s8(grid, n.val[0]), vqtbl1q_s8(grid, n.val[1])}};
    }
};

// Q4_1 / Q5_1: d f16 | m f16 | (Q5_1: qh u32 |) nibble row; x = d*q + m with q 0..15 / 0..31
// as stored. m * sum(x) comes from the activations' d * sum(q) (XqRow::dsum).
struct Q41 {
    static constexpr std::size_t kBytes = 20;
    static constexpr bool kMin = true;
    static int8x16x2_t load(const std::byte* b)
    {
        const uint8x16x2_t n = nibbles(b + 4);
        return {{vreinterpretq_s8_u8(n.val[0]), vreinterpretq_s8_u8(n.val[1])}};
    }
};
struct Q51 {
    static constexpr std::size_t kBytes = 24;
    static constexpr bool kMin = true;
    static int8x16x2_t load(const std::byte* b)
    {
        const uint8x16x2_t n = nibbles(b + 8);
        const std::uint32_t qh = blocks::u32(b + 4);
        return {{vreinterpretq_s8_u8(vorrq_u8(n.val[0], fifth_bits(qh & 0xffffu))),
                 vreinterpretq_s8_u8(vorrq_u8(n.val[1], fifth_bits(qh >> 16)))}};
    }
};

template <class L, int R, int T>
void float_tile(const WeightView& w, std::size_t stride, const float* x, float* y, std::size_t r, std::size_t t)
{
    float32x4_t acc[R][T];
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            acc[i][j] = vdupq_n_f32(0.0f);
    const std::size_t c4 = w.cols / 4 * 4;
    for (std::size_t c = 0; c < c4; c += 4) {
        float32x4_t wv[R];
        for (int i = 0; i < R; ++i)
            wv[i] = L::load4(w.data + (r + i) * stride, c);
        for (int j = 0; j < T; ++j) {
            const float32x4_t xv = vld1q_f32(x + (t + j) * w.cols + c);
            for (int i = 0; i < R; ++i)
                acc[i][j] = vfmaq_f32(acc[i][j], wv[i], xv);
        }
    }
    for (int i = 0; i < R; ++i) {
        for (int j = 0; j < T; ++j) {
            float s = vaddvq_f32(acc[i][j]);
            for (std::size_t c = c4; c < w.cols; ++c)
                s = std::fma(L::load1(w.data + (r + i) * stride, c), x[(t + j) * w.cols + c], s);
            y[(t + j) * w.rows + r + i] = s;
        }
    }
}

template <class Dot, class W, int R, int T>
void quant_tile(const WeightView& w, std::size_t stride, const std::byte* xq, float* y, std::size_t r, std::size_t t)
{
    const std::size_t nb = w.cols / 32;
    XqRow xr[T];
    for (int j = 0; j < T; ++j)
        xr[j] = xq_row(xq, nb, t + j);
    float32x4_t acc[R][T];
    float macc[R][T]; // formats with a min: sum over blocks of m * d_x * sum(q_x)
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j) {
            acc[i][j] = vdupq_n_f32(0.0f);
            macc[i][j] = 0.0f;
        }
    for (std::size_t b = 0; b < nb; ++b) {
        int8x16x2_t wq[R];
        float dw[R], mw[R];
        for (int i = 0; i < R; ++i) {
            const std::byte* blk = w.data + (r + i) * stride + b * W::kBytes;
            wq[i] = W::load(blk);
            dw[i] = f16_to_f32(load_u16(blk));
            mw[i] = W::kMin ? f16_to_f32(load_u16(blk + 2)) : 0.0f;
        }
        for (int j = 0; j < T; ++j) {
            const std::int8_t* q = xr[j].q + 32 * b;
            const int8x16x2_t xv{{vld1q_s8(q), vld1q_s8(q + 16)}};
            const float dx = xr[j].d[b];
            for (int i = 0; i < R; ++i) {
                acc[i][j] = vfmaq_n_f32(acc[i][j], vcvtq_f32_s32(Dot::dot(wq[i], xv)), dw[i] * dx);
                if constexpr (W::kMin)
                    macc[i][j] = std::fma(mw[i], xr[j].dsum[b], macc[i][j]);
            }
        }
    }
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            y[(t + j) * w.rows + r + i] = W::kMin ? vaddvq_f32(acc[i][j]) + macc[i][j] : vaddvq_f32(acc[i][j]);
}

template <class L>
void float_rows(const WeightView& w, const float* x, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<4, 4>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        float_tile<L, R, T>(w, stride, x, y, r, t);
    });
}

template <class Dot, class W>
void quant_rows(const WeightView& w, std::size_t stride, const std::byte* xq, std::size_t n, float* y, std::size_t r0,
                std::size_t r1)
{
    tiling::for_each_tile<4, 2>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        quant_tile<Dot, W, R, T>(w, stride, xq, y, r, t);
    });
}

#include "kernels/arm/neon_kquant_impl.hpp"

// Shared by both flavours: only the 8-bit dot product (Dot::dot) differs.
template <class Dot>
void matmul_rows_with(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                      std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    switch (w.dtype) {
    case DType::F32: return float_rows<F32>(w, x, n, y, r0, r1);
    case DType::F16: return float_rows<F16>(w, x, n, y, r0, r1);
    case DType::BF16: return float_rows<BF16>(w, x, n, y, r0, r1);
    case DType::Q8_0: return quant_rows<Dot, Q8>(w, stride, xq, n, y, r0, r1);
    case DType::Q4_0: return quant_rows<Dot, Q4>(w, stride, xq, n, y, r0, r1);
    case DType::Q5_0: return quant_rows<Dot, Q5>(w, stride, xq, n, y, r0, r1);
    case DType::IQ4_NL: return quant_rows<Dot, IQ4NL>(w, stride, xq, n, y, r0, r1);
    case DType::Q4_1: return quant_rows<Dot, Q41>(w, stride, xq, n, y, r0, r1);
    case DType::Q5_1: return quant_rows<Dot, Q51>(w, stride, xq, n, y, r0, r1);
    default: break;
    }
    if (xq != nullptr && kq::kquant_rows<Dot>(w, xq, n, y, r0, r1))
        return;
    if (activation_form(w.dtype) != ActivationForm::Float) // no NEON code for this block type yet
        return scalar::matmul_rows_quantized(w, x, xq, n, y, r0, r1);
    throw std::invalid_argument("neon matmul: unsupported weight type");
}

} // namespace
} // namespace edge_rt::kernels::neon

