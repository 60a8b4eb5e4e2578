// AVX2 + FMA + F16C matrix kernels (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL here; the Q8x256 types in
// avx2_kquant.cpp). Block codes are unpacked to signed bytes and dotted with the activations
// by vpmaddubsw after moving the weights' signs onto them (dot_i8). Everything after the target pragma may use those
// instructions, so this file is only entered through avx2_kernels() after cpu_features() saw
// them; headers come first so no inline library code is compiled for AVX2 by accident.
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
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif
#include "kernels/row_tiles.hpp"

namespace edge_rt::kernels::avx2 {
namespace {

using x86::load_u16;

float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Float weight types: 8 values at a time as floats (one at a time for a row's tail: x86::*Tail).
struct F32 : x86::F32Tail {
    static constexpr std::size_t kBits = 32;
    static __m256 load8(const std::byte* row, std::size_t c)
    {
        return _mm256_loadu_ps(reinterpret_cast<const float*>(row) + c);
    }
};
struct F16 : x86::F16Tail {
    static constexpr std::size_t kBits = 16;
    static __m256 load8(const std::byte* row, std::size_t c)
    {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * c)));
    }
};
struct BF16 : x86::BF16Tail {
    static constexpr std::size_t kBits = 16;
    static __m256 load8(const std::byte* row, std::size_t c)
    {
        const __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * c)));
        return _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
    }
};

// Block weight types: 32 signed 8-bit values and the f16 scale of one block.
struct Q8 {
    static constexpr std::size_t kBytes = 34;
    static constexpr bool kMin = false;
    static __m256i load(const std::byte* b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 2)); }
};
struct Q4 {
    static constexpr std::size_t kBytes = 18;
    static constexpr bool kMin = false;
    static __m256i load(const std::byte* b)
    {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 2));
        const __m128i mask = _mm_set1_epi8(0x0f);
        const __m128i lo = _mm_and_si128(packed, mask);                    // elements 0-15
        const __m128i hi = _mm_and_si128(_mm_srli_epi16(packed, 4), mask); // elements 16-31
        return _mm256_sub_epi8(_mm256_set_m128i(hi, lo), _mm256_set1_epi8(8));
    }
};

// The 32 nibbles of a nibble row (element j in the low nibble of byte j, j + 16 in its high
// nibble) as bytes in element order.
__m256i nibbles(const std::byte* p)
{
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i mask = _mm_set1_epi8(0x0f);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(packed, 4), mask), _mm_and_si128(packed, mask));
}

// Byte i is 16 when bit i of `bits` is set, else 0: Q5's 5th bits in element order.
__m256i fifth_bits(std::uint32_t bits)
{
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)),
                                               _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                                                 0x0101010101010101, 0));
    const __m256i select = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ull));
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select), _mm256_set1_epi8(16));
}

// Q5_0: d f16 | qh u32 | nibble row; x = d * (nibble | bit i of qh << 4) - 16.
struct Q5 {
    static constexpr std::size_t kBytes = 22;
    static constexpr bool kMin = false;
    static __m256i load(const std::byte* b)
    {
        const __m256i q = _mm256_or_si256(nibbles(b + 6), fifth_bits(blocks::u32(b + 2)));
        return _mm256_sub_epi8(q, _mm256_set1_epi8(16));
    }
};
// IQ4_NL: d f16 | nibble row of indices into kIq4Grid (vpshufb looks them up).
struct IQ4NL {
    static constexpr std::size_t kBytes = 18;
    static constexpr bool kMin = false;
    static __m256i load(const std::byte* b)
    {
        const __m256i grid = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks::kIq4Grid.data())));
        return _mm256_shuffle_epi8(grid, nibbles(b + 2));
    }
};

// Q4_1 / Q5_1: d f16 | m f16 | (Q5_1: qh u32 |) nibble row; x = d*q + m with q 0..15 / 0..31
// as stored. m * sum(x) comes from the activations' d * sum(q) (XqRow::dsum).
struct Q41 {
    static constexpr std::size_t kBytes = 20;
    static constexpr bool kMin = true;
    static __m256i load(const std::byte* b) { return nibbles(b + 4); }
};
struct Q51 {
    static constexpr std::size_t kBytes = 24;
    static constexpr bool kMin = true;
    static __m256i load(const std::byte* b) { return _mm256_or_si256(nibbles(b + 8), fifth_bits(blocks::u32(b + 4))); }
};

// sum w_i*x_i of two blocks of 32 int8 as 8 float lanes (exact: |sum| < 2^24). maddubs wants
// one unsigned operand, so the sign of w moves onto x.
__m256 dot_i8(__m256i w, __m256i x)
{
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

template <class L, int R, int T>
void float_tile(const WeightView& w, std::size_t stride, const float* x, float* y, std::size_t r, std::size_t t)
{
    __m256 acc[R][T];
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            acc[i][j] = _mm256_setzero_ps();
    const std::size_t c8 = w.cols / 8 * 8;
    for (std::size_t c = 0; c < c8; c += 8) {
        __m256 wv[R];
        for (int i = 0; i < R; ++i) {
            wv[i] = L::load8(w.data + (r + i) * stride, c);
            // Decode streams each weight once: fetch the next tile's rows into L2 (into L1 they
            // would evict this tile's lines before they are used).
            if constexpr (T == 1)
                _mm_prefetch(reinterpret_cast<const char*>(w.data + (r + R + i) * stride + (L::kBits / 8) * c), _MM_HINT_T1);
        }
        for (int j = 0; j < T; ++j) {
            const __m256 xv = _mm256_loadu_ps(x + (t + j) * w.cols + c);
            for (int i = 0; i < R; ++i)
                acc[i][j] = _mm256_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
    for (int i = 0; i < R; ++i) {
        for (int j = 0; j < T; ++j) {
            float s = hsum(acc[i][j]);
            for (std::size_t c = c8; c < w.cols; ++c)
                s = std::fma(L::load1(w.data + (r + i) * stride, c), x[(t + j) * w.cols + c], s);
            y[(t + j) * w.rows + r + i] = s;
        }
    }
}

template <class W, int R, int T>
void quant_tile(const WeightView& w, std::size_t stride, const std::byte* xq, float* y, std::size_t r, std::size_t t)
{
    const std::size_t nb = w.cols / 32;
    XqRow xr[T];
    for (int j = 0; j < T; ++j)
        xr[j] = xq_row(xq, nb, t + j);
    __m256 acc[R][T];
    float macc[R][T]; // formats with a min: sum over blocks of m * d_x * sum(q_x)
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j) {
            acc[i][j] = _mm256_setzero_ps();
            macc[i][j] = 0.0f;
        }
    for (std::size_t b = 0; b < nb; ++b) {
        __m256i wq[R];
        float dw[R], mw[R];
        for (int i = 0; i < R; ++i) {
            const std::byte* blk = w.data + (r + i) * stride + b * W::kBytes;
            wq[i] = W::load(blk);
            if constexpr (T == 1) // decode: the next tile's rows into L2, as in float_tile
                _mm_prefetch(reinterpret_cast<const char*>(blk + R * stride), _MM_HINT_T1);
            dw[i] = _cvtsh_ss(load_u16(blk));
            mw[i] = W::kMin ? _cvtsh_ss(load_u16(blk + 2)) : 0.0f;
        }
        for (int j = 0; j < T; ++j) {
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[j].q + 32 * b));
            const float dx = xr[j].d[b];
            for (int i = 0; i < R; ++i) {
                acc[i][j] = _mm256_fmadd_ps(dot_i8(wq[i], xv), _mm256_set1_ps(dw[i] * dx), acc[i][j]);
                if constexpr (W::kMin)
                    macc[i][j] = std::fma(mw[i], xr[j].dsum[b], macc[i][j]);
            }
        }
    }
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            y[(t + j) * w.rows + r + i] = W::kMin ? hsum(acc[i][j]) + macc[i][j] : hsum(acc[i][j]);
}

template <class L>
void float_rows(const WeightView& w, const float* x, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<4, 2>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        float_tile<L, R, T>(w, stride, x, y, r, t);
    });
}

template <class W>
void quant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<4, 2>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        quant_tile<W, R, T>(w, stride, xq, y, r, t);
    });
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
    throw std::invalid_argument("avx2 matmul: unsupported weight type");
}

} // namespace edge_rt::kernels::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
