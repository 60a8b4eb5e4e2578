// AVX-512 (F, BW, VL, VNNI) matrix kernels: floats 16 at a time, and the 8-bit products with
// vpdpbusd over two blocks per register. vpdpbusd multiplies unsigned by signed bytes, so the
// activations are offset by 128 and 128 * sum(w) is subtracted again, lane by lane (exact).
// Entered only through avx512_kernels() after cpu_features() saw these extensions.
#include "core/half.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/matmul.hpp"
#include "kernels/x86/x86_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>
#include <stdexcept>

#pragma GCC push_options
// GCC 12's AVX-512 casts and reductions start from _mm512_undefined_*(), which its own
// -Wuninitialized flags as soon as they are inlined (a false positive in the headers).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")
#include "kernels/row_tiles.hpp"

namespace edge_rt::kernels::avx512 {
namespace {

std::uint16_t load_u16(const std::byte* p)
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

// Two 8-lane halves, lo in lanes 0-7 (AVX-512F only: no DQ insert needed).
__m512 halves(float lo, float hi)
{
    return _mm512_castpd_ps(
        _mm512_insertf64x4(_mm512_castps_pd(_mm512_set1_ps(lo)), _mm256_castps_pd(_mm256_set1_ps(hi)), 1));
}

struct F32 {
    static __m512 load16(const std::byte* row, std::size_t c)
    {
        return _mm512_loadu_ps(reinterpret_cast<const float*>(row) + c);
    }
    static float load1(const std::byte* row, std::size_t c)
    {
        float v;
        std::memcpy(&v, row + 4 * c, 4);
        return v;
    }
};
struct F16 {
    static __m512 load16(const std::byte* row, std::size_t c)
    {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * c)));
    }
    static float load1(const std::byte* row, std::size_t c) { return f16_to_f32(load_u16(row + 2 * c)); }
};
struct BF16 {
    static __m512 load16(const std::byte* row, std::size_t c)
    {
        const __m512i h = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * c)));
        return _mm512_castsi512_ps(_mm512_slli_epi32(h, 16));
    }
    static float load1(const std::byte* row, std::size_t c) { return bf16_to_f32(load_u16(row + 2 * c)); }
};

// Two blocks' 32 weights each as unsigned bytes u = w + kOffset, one block per 256-bit half
// (the second zero when absent). vpdpbusd wants its first operand unsigned; the offset comes
// back out through the activations' sums (see quant_tile).
struct Q8 {
    static constexpr std::size_t kBytes = 34;
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

template <class L, int R, int T>
void float_tile(const WeightView& w, std::size_t stride, const float* x, float* y, std::size_t r, std::size_t t)
{
    __m512 acc[R][T];
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            acc[i][j] = _mm512_setzero_ps();
    const std::size_t c16 = w.cols / 16 * 16;
    for (std::size_t c = 0; c < c16; c += 16) {
        __m512 wv[R];
        for (int i = 0; i < R; ++i)
            wv[i] = L::load16(w.data + (r + i) * stride, c);
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

// The scales of blocks b and b+1 (0 past the end), one per half: both f16 values converted
// in one instruction and spread with one permute (two scalar conversions cost more than the
// dot product itself in a one-token product).
__m512 weight_scales(const std::byte* blk, std::size_t bytes, bool two)
{
    const int d1 = two ? load_u16(blk + bytes) : 0;
    const __m128 d = _mm_cvtph_ps(_mm_insert_epi16(_mm_cvtsi32_si128(load_u16(blk)), d1, 1));
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                 _mm512_castps128_ps512(d));
}

// The signed activations of blocks b and b+1 (zeros past the end), and their scales.
void load_x_pair(const std::byte* xb, bool two, __m512i& q, __m512& d)
{
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb + kXqQuantOffset));
    const __m256i hi = two ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb + kXqBlockBytes + kXqQuantOffset))
                           : _mm256_setzero_si256();
    q = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    d = halves(xq_scale(xb), two ? xq_scale(xb + kXqBlockBytes) : 0.0f);
}

// Each lane of vpdpbusd(c, u, x) adds four products u*x to c. Starting c at -offset times the
// sum of those four x makes every lane the exact sum of w*x over its four weights, whichever
// rows the lane is reused for, so the offset costs one step per input instead of per row.
template <class W, int R, int T>
void quant_tile(const WeightView& w, std::size_t stride, const std::byte* xq, float* y, std::size_t r, std::size_t t)
{
    const std::size_t nb = w.cols / 32;
    const std::size_t xrow = nb * kXqBlockBytes;
    const __m512i ones = _mm512_set1_epi8(1);
    __m512 acc[R][T];
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            acc[i][j] = _mm512_setzero_ps();
    // `Two` is false only for an odd last block, so the main loop has no per-block branches.
    const auto pair = [&]<bool Two>(std::size_t b) {
        __m512i wu[R];
        __m512 dw[R];
        for (int i = 0; i < R; ++i) {
            const std::byte* blk = w.data + (r + i) * stride + b * W::kBytes;
            wu[i] = W::load_pair(blk, Two);
            dw[i] = weight_scales(blk, W::kBytes, Two);
        }
        for (int j = 0; j < T; ++j) {
            __m512i xs;
            __m512 dx;
            load_x_pair(xq + (t + j) * xrow + b * kXqBlockBytes, Two, xs, dx);
            const __m512i start = _mm512_sub_epi32(
                _mm512_setzero_si512(), _mm512_slli_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), ones, xs), W::kOffsetShift));
            for (int i = 0; i < R; ++i) {
                const __m512i dot = _mm512_dpbusd_epi32(start, wu[i], xs);
                acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw[i], dx), acc[i][j]);
            }
        }
    };
    std::size_t b = 0;
    for (; b + 1 < nb; b += 2)
        pair.template operator()<true>(b);
    if (b < nb)
        pair.template operator()<false>(b);
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < T; ++j)
            y[(t + j) * w.rows + r + i] = _mm512_reduce_add_ps(acc[i][j]);
}

template <class L>
void float_rows(const WeightView& w, const float* x, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<4, 3>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        float_tile<L, R, T>(w, stride, x, y, r, t);
    });
}

template <class W>
void quant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    const auto tile = [&]<int R, int T>(std::size_t r, std::size_t t) { quant_tile<W, R, T>(w, stride, xq, y, r, t); };
    // One input (decode): taller tiles share each activation load and offset sum over 8 rows.
    if (n == 1)
        tiling::for_each_tile<8, 1>(r0, r1, n, tile);
    else
        tiling::for_each_tile<4, 3>(r0, r1, n, tile);
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
    }
    throw std::invalid_argument("avx512 matmul: unsupported weight type");
}

} // namespace edge_rt::kernels::avx512

#pragma GCC diagnostic pop
#pragma GCC pop_options
