// AVX-512 (F, BW, VL, VNNI) matrix kernels (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL; the K-quants are in
// avx512_kquant.cpp): floats 16 at a time, and the 8-bit products with
// vpdpbusd over two blocks per register. vpdpbusd multiplies unsigned by signed bytes, so the
// activations are offset by 128 and 128 * sum(w) is subtracted again, lane by lane (exact).
// Entered only through avx512_kernels() after cpu_features() saw these extensions.
#include "core/block_formats.hpp"
#include "core/half.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/matmul.hpp"
#include "kernels/scalar/scalar.hpp"
#include "kernels/x86/scalar_tail.hpp"
#include "kernels/x86/x86_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>
#include <stdexcept>

// clang has no GCC target pragma: it applies the same target attribute to every function.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)
#else
#pragma GCC push_options
// GCC 12's AVX-512 casts and reductions start from _mm512_undefined_*(), which its own
// -Wuninitialized flags as soon as they are inlined (a false positive in the headers).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")
#endif
#include "kernels/row_tiles.hpp"

namespace edge_rt::kernels::avx512 {
namespace {

using x86::load_u16;

struct F32 : x86::F32Tail {
    static constexpr std::size_t kBits = 32;
    static __m512 load16(const std::byte* row, std::size_t c)
    {
        return _mm512_loadu_ps(reinterpret_cast<const float*>(row) + c);
    }
};
struct F16 : x86::F16Tail {
    static constexpr std::size_t kBits = 16;
    static __m512 load16(const std::byte* row, std::size_t c)
    {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * c)));
    }
};
struct BF16 : x86::BF16Tail {
    static constexpr std::size_t kBits = 16;
    static __m512 load16(const std::byte* row, std::size_t c)
    {
        const __m512i h = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * c)));
        return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16));
    }
};

// Two blocks' 32 weights each as unsigned bytes u = w + kOffset, one block per 256-bit half
// (the second zero when absent). vpdpbusd wants its first operand unsigned; the offset comes
// back out through the activations' sums (see quant_tile).
struct Q8 {
    static constexpr std::size_t kBytes = 34;
    static constexpr bool kMin = false;
    static constexpr int kOffsetShift = 7; // +128
    static __m512i load_pair(const std::byte* b, bool two)
    {
        const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 2));
        const __m256i hi = two ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + kBytes + 2))
                               : _mm256_setzero_si256();
        return _mm512_xor_si512(_mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1), _mm512_set1_epi8(-128));
    }
};
struct Q4 {
    static constexpr std::size_t kBytes = 18;
    static constexpr bool kMin = false;
    static constexpr int kOffsetShift = 3; // +8: the nibbles as stored
    static __m512i load_pair(const std::byte* b, bool two)
    {
        const __m128i p0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 2));
        const __m128i p1 = two ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + kBytes + 2)) : _mm_setzero_si128();
        // 128-bit lanes p0 p0 p1 p1, the second of each pair shifted to its high nibbles.
        const __m512i both = _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(p0), p1, 1));
        const __m512i spread = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(1, 1, 0, 0));
        const __m512i shifted = _mm512_srlv_epi64(spread, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0));
        return _mm512_and_si512(shifted, _mm512_set1_epi8(0x0f));
    }
};

// Q5_0: x = d*(q - 16), q = nibble | bit i of the block's qh word << 4: the nibbles as Q4's,
// the 5th bits set from a 64-bit mask (bit i of qh <-> byte i, the second block's at 32 + i).
struct Q5 {
    static constexpr std::size_t kBytes = 22;
    static constexpr bool kMin = false;
    static constexpr int kOffsetShift = 4; // +16: the codes as stored
    static __m512i load_pair(const std::byte* b, bool two)
    {
        const __m128i p0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 6));
        const __m128i p1 = two ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + kBytes + 6)) : _mm_setzero_si128();
        const __m512i both = _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(p0), p1, 1));
        const __m512i spread = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(1, 1, 0, 0));
        const __m512i shifted = _mm512_srlv_epi64(spread, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0));
        const std::uint64_t qh = std::uint64_t{blocks::u32(b + 2)} | (two ? std::uint64_t{blocks::u32(b + kBytes + 2)} << 32 : 0);
        return _mm512_or_si512(_mm512_and_si512(shifted, _mm512_set1_epi8(0x0f)), _mm512_maskz_mov_epi8(qh, _mm512_set1_epi8(16)));
    }
};
// IQ4_NL: x = d*grid[index]; vpshufb looks the 16 grid values up, offset by 128 to unsigned.
struct IQ4NL {
    static constexpr std::size_t kBytes = 18;
    static constexpr bool kMin = false;
    static constexpr int kOffsetShift = 7; // +128
    static __m512i load_pair(const std::byte* b, bool two)
    {
        const __m128i shifted = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks::kIq4Grid.data())),
                                              _mm_set1_epi8(-128));
        const __m512i grid = _mm512_broadcast_i32x4(shifted);
        return _mm512_shuffle_epi8(grid, Q4::load_pair(b, two));
    }
};

// Q4_1 / Q5_1: d f16 | m f16 | (Q5_1: qh u32 |) nibble row; x = d*q + m with q 0..15 / 0..31,
// already unsigned (no offset). m * sum(x) comes from the activations' d * sum(q) (XqRow::dsum).
struct Q41 {
    static constexpr std::size_t kBytes = 20;
    static constexpr bool kMin = true;
    static constexpr int kOffsetShift = -1; // none
    static __m512i load_pair(const std::byte* b, bool two)
    {
        const __m128i p0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 4));
        const __m128i p1 = two ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + kBytes + 4)) : _mm_setzero_si128();
        const __m512i both = _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(p0), p1, 1));
        const __m512i spread = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(1, 1, 0, 0));
        return _mm512_and_si512(_mm512_srlv_epi64(spread, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0)), _mm512_set1_epi8(0x0f));
    }
};
struct Q51 {
    static constexpr std::size_t kBytes = 24;
    static constexpr bool kMin = true;
    static constexpr int kOffsetShift = -1; // none
    static __m512i load_pair(const std::byte* b, bool two)
    {
        const __m128i p0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 8));
        const __m128i p1 = two ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + kBytes + 8)) : _mm_setzero_si128();
        const __m512i both = _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(p0), p1, 1));
        const __m512i spread = _mm512_shuffle_i64x2(both, both, _MM_SHUFFLE(1, 1, 0, 0));
        const __m512i low = _mm512_and_si512(_mm512_srlv_epi64(spread, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0)), _mm512_set1_epi8(0x0f));
        const std::uint64_t qh = std::uint64_t{blocks::u32(b + 4)} | (two ? std::uint64_t{blocks::u32(b + kBytes + 4)} << 32 : 0);
        return _mm512_or_si512(low, _mm512_maskz_mov_epi8(qh, _mm512_set1_epi8(16)));
    }
};

template <class L, int R, int T>
void float_tile(const WeightView& w, std::size_t stride, const float* x, float* y, std::size_t r, std::size_t t)
{
    __m512 acc[R][T];
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            acc[i][j] = _mm512_setzero_ps();
    const std::size_t c16 = w.cols / 16 * 16;
    // One input (decode) streams each weight once: fetch the next tile's rows (each a short
    // stream the hardware prefetcher would only pick up late) while this one is summed, into L2:
    // a tile ahead is more than L1 holds beside the tile being read, so fetched into L1 the lines
    // evicted each other before use (kernel bench: Q8_0 decode 14 -> 22 GB/s on one Zen 4 core).
    const std::byte* next = w.data + (r + R) * stride + (L::kBits / 8) * 16;
    for (std::size_t c = 0; c < c16; c += 16) {
        __m512 wv[R];
        for (int i = 0; i < R; ++i) {
            wv[i] = L::load16(w.data + (r + i) * stride, c);
            if constexpr (T == 1)
                _mm_prefetch(reinterpret_cast<const char*>(next + i * stride + (L::kBits / 8) * c), _MM_HINT_T1);
        }
        for (int j = 0; j < T; ++j) {
            const __m512 xv = _mm512_loadu_ps(x + (t + j) * w.cols + c);
            for (int i = 0; i < R; ++i)
                acc[i][j] = _mm512_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
    for (int i = 0; i < R; ++i) {
        for (int j = 0; j < T; ++j) {
            float s = _mm512_reduce_add_ps(acc[i][j]);
            for (std::size_t c = c16; c < w.cols; ++c)
                s = std::fma(L::load1(w.data + (r + i) * stride, c), x[(t + j) * w.cols + c], s);
            y[(t + j) * w.rows + r + i] = s;
        }
    }
}

// d[0] in lanes 0-7 and d[1] in lanes 8-15: an input's scales of a pair of blocks.
__m512 pair_scales(const float* d)
{
    const __m128 v = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(d)));
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                 _mm512_castps128_ps512(v));
}

// The f16 scales of blocks b and b+1 of four rows, laid out like merge4's lanes: each 128-bit
// lane holds rows 0-3, lanes 0-1 of block b and lanes 2-3 of block b+1 (0 past the end).
__m512 quad_scales(const std::byte* const rows[4], std::size_t off, std::size_t bytes, bool two)
{
    __m128i h = _mm_setzero_si128();
    h = _mm_insert_epi16(h, load_u16(rows[0] + off), 0);
    h = _mm_insert_epi16(h, load_u16(rows[1] + off), 1);
    h = _mm_insert_epi16(h, load_u16(rows[2] + off), 2);
    h = _mm_insert_epi16(h, load_u16(rows[3] + off), 3);
    if (two) {
        h = _mm_insert_epi16(h, load_u16(rows[0] + off + bytes), 4);
        h = _mm_insert_epi16(h, load_u16(rows[1] + off + bytes), 5);
        h = _mm_insert_epi16(h, load_u16(rows[2] + off + bytes), 6);
        h = _mm_insert_epi16(h, load_u16(rows[3] + off + bytes), 7);
    }
    return _mm512_permutexvar_ps(_mm512_set_epi32(7, 6, 5, 4, 7, 6, 5, 4, 3, 2, 1, 0, 3, 2, 1, 0),
                                 _mm512_castps256_ps512(_mm256_cvtph_ps(h)));
}

// Four rows' dot lanes folded into one register: 128-bit lane k holds, for rows 0-3, the sum of
// lane k's four int32 of each row. Integer adds are exact, so a row's value never depends on
// its neighbours; the float work (convert, scale, accumulate) then runs once per four rows.
__m512i merge4(__m512i d0, __m512i d1, __m512i d2, __m512i d3)
{
    const __m512i a = _mm512_add_epi32(_mm512_unpacklo_epi32(d0, d1), _mm512_unpackhi_epi32(d0, d1));
    const __m512i c = _mm512_add_epi32(_mm512_unpacklo_epi32(d2, d3), _mm512_unpackhi_epi32(d2, d3));
    return _mm512_add_epi32(_mm512_unpacklo_epi64(a, c), _mm512_unpackhi_epi64(a, c));
}

// One call's quantised product: weights, their row stride and blocks per row, inputs, output.
struct QuantCall {
    const WeightView& w;
    std::size_t stride, nb;
    const std::byte* xq;
    float* y;
};

// Rows [r, r + 4Q) (only the first `valid` exist; the rest repeat the last and are not stored)
// times inputs [t, t + T). Each lane of vpdpbusd(c, u, x) adds four products u*x to c;
// starting c at -offset times the sum of those four x makes every lane the exact sum of w*x,
// so the weights' unsigned offset costs one step per input instead of per row.
template <class W, int Q, int T>
void quad_tile(const QuantCall& c, std::size_t r, std::size_t valid, std::size_t t)
{
    const __m512i ones = _mm512_set1_epi8(1);
    const std::byte* rows[Q][4];
    for (int q = 0; q < Q; ++q)
        for (int i = 0; i < 4; ++i)
            rows[q][i] = c.w.data + (r + std::min<std::size_t>(4 * q + i, valid - 1)) * c.stride;
    XqRow xr[T];
    for (int j = 0; j < T; ++j)
        xr[j] = xq_row(c.xq, c.nb, t + j);
    __m512 acc[Q][T];
    for (int q = 0; q < Q; ++q)
        for (int j = 0; j < T; ++j)
            acc[q][j] = _mm512_setzero_ps();
    // `Two` is false only for an odd last block, so the main loop has no per-block branches.
    const auto pair = [&]<bool Two>(std::size_t b) {
        const std::size_t off = b * W::kBytes;
        __m512i wu[Q][4];
        __m512 dw[Q], mw[Q];
        for (int q = 0; q < Q; ++q) {
            for (int i = 0; i < 4; ++i) {
                wu[q][i] = W::load_pair(rows[q][i] + off, Two);
                // Decode: fetch the next tile's rows ahead into L2, as in float_tile.
                if constexpr (T == 1)
                    _mm_prefetch(reinterpret_cast<const char*>(rows[q][i] + 4 * Q * c.stride + off), _MM_HINT_T1);
            }
            dw[q] = quad_scales(rows[q], off, W::kBytes, Two);
            // The min once per block and row: lanes 0-3 (block b) and 8-11 (block b + 1).
            if constexpr (W::kMin)
                mw[q] = _mm512_maskz_mov_ps(0x0f0f, quad_scales(rows[q], off + 2, W::kBytes, Two));
        }
        for (int j = 0; j < T; ++j) {
            const __m512i xs = Two ? _mm512_loadu_si512(xr[j].q + 32 * b)
                                   : _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[j].q + 32 * b)));
            // Past the last block d[b + 1] is the first d*sum: a finite value times zero dots.
            const __m512 dx = pair_scales(xr[j].d + b);
            __m512i start = _mm512_setzero_si512();
            if constexpr (W::kOffsetShift >= 0)
                start = _mm512_sub_epi32(start, _mm512_slli_epi32(_mm512_dpbusd_epi32(start, ones, xs), W::kOffsetShift));
            // d_x * sum(q_x) of blocks b and b + 1 (only b for an odd last block: the row ends).
            __m512 dsum = _mm512_setzero_ps();
            if constexpr (W::kMin)
                dsum = Two ? pair_scales(xr[j].dsum + b) : _mm512_set1_ps(xr[j].dsum[b]);
            for (int q = 0; q < Q; ++q) {
                const __m512i dots = merge4(_mm512_dpbusd_epi32(start, wu[q][0], xs), _mm512_dpbusd_epi32(start, wu[q][1], xs),
                                            _mm512_dpbusd_epi32(start, wu[q][2], xs), _mm512_dpbusd_epi32(start, wu[q][3], xs));
                acc[q][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dots), _mm512_mul_ps(dw[q], dx), acc[q][j]);
                if constexpr (W::kMin)
                    acc[q][j] = _mm512_fmadd_ps(mw[q], dsum, acc[q][j]);
            }
        }
    };
    std::size_t b = 0;
    for (; b + 1 < c.nb; b += 2)
        pair.template operator()<true>(b);
    if (b < c.nb)
        pair.template operator()<false>(b);
    for (int q = 0; q < Q; ++q) {
        const std::size_t left = valid - std::min<std::size_t>(valid, 4 * q);
        const __mmask8 keep = static_cast<__mmask8>(left >= 4 ? 0xf : (1u << left) - 1);
        for (int j = 0; j < T; ++j) {
            const __m256 halves = _mm256_add_ps(_mm512_castps512_ps256(acc[q][j]), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[q][j]), 1)));
            const __m128 sums = _mm_add_ps(_mm256_castps256_ps128(halves), _mm256_extractf128_ps(halves, 1));
            _mm_mask_storeu_ps(c.y + (t + j) * c.w.rows + r + 4 * q, keep, sums);
        }
    }
}

template <class L>
void float_rows(const WeightView& w, const float* x, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<4, 3>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        float_tile<L, R, T>(w, stride, x, y, r, t);
    });
}

// Block by block of kRowGrain rows, every input over them: tiles of Q quads of rows by T
// inputs, the block's last rows in quads that may be partial (same arithmetic per row).
template <class W, int Q, int T>
void quad_rows(const QuantCall& c, std::size_t n, std::size_t r0, std::size_t r1)
{
    for (std::size_t rb = r0; rb < r1; rb += kRowGrain) {
        const std::size_t re = std::min(r1, rb + kRowGrain);
        const auto sweep = [&]<int TT>(std::size_t t) {
            std::size_t r = rb;
            for (; r + 4 * Q <= re; r += 4 * Q)
                quad_tile<W, Q, TT>(c, r, 4 * Q, t);
            for (; r < re; r += 4)
                quad_tile<W, 1, TT>(c, r, std::min<std::size_t>(4, re - r), t);
        };
        std::size_t t = 0;
        for (; t + T <= n; t += T)
            sweep.template operator()<T>(t);
        for (; t < n; ++t)
            sweep.template operator()<1>(t);
    }
}

template <class W>
void quant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const QuantCall c{w, row_bytes(w.dtype, w.cols), w.cols / 32, xq, y};
    // Two quads share each activation load and offset sum; four inputs share each weight load.
    quad_rows<W, 2, 4>(c, n, r0, r1);
}

} // namespace

void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end)
{
    switch (w.dtype) {
    case DType::F32: return float_rows<F32>(w, x, n, y, row_begin, row_end);
    case DType::F16: return float_rows<F16>(w, x, n, y, row_begin, row_end);
    case DType::BF16: return float_rows<BF16>(w, x, n, y, row_begin, row_end);
    case DType::Q8_0: return quant_rows<Q8>(w, xq, n, y, row_begin, row_end);
    case DType::Q4_0: return quant_rows<Q4>(w, xq, n, y, row_begin, row_end);
    case DType::Q5_0: return quant_rows<Q5>(w, xq, n, y, row_begin, row_end);
    case DType::IQ4_NL: return quant_rows<IQ4NL>(w, xq, n, y, row_begin, row_end);
    case DType::Q4_1: return quant_rows<Q41>(w, xq, n, y, row_begin, row_end);
    case DType::Q5_1: return quant_rows<Q51>(w, xq, n, y, row_begin, row_end);
    default: break;
    }
    if (xq != nullptr && kquant_rows(w, xq, n, y, row_begin, row_end))
        return;
    if (activation_form(w.dtype) != ActivationForm::Float) // no SIMD code for this block type yet
        return scalar::matmul_rows_quantized(w, x, xq, n, y, row_begin, row_end);
    throw std::invalid_argument("avx512 matmul: unsupported weight type");
}

} // namespace edge_rt::kernels::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif
