// AVX2 products of the K-quants Q2_K..Q6_K and IQ4_XS with Q8x256 activations: the AVX-512 kernel's
// scheme (avx512_kquant.cpp) at 32 codes per register. vpmaddubsw sums pairs of unsigned code
// x activation into int16 (codes <= 63, |q| <= 127: no saturation), vpmaddwd multiplies them
// by the sub-block scale into int32, so a block's sum is exact and costs one float FMA per
// input. IQ4_XS's grid values are signed (-127..113): their magnitudes go into vpmaddubsw and
// their signs onto the activations (vpsignb; |q| <= 127, so still no saturation). Entered only through avx2_kernels() after cpu_features() saw AVX2 and FMA.
#include "core/block_formats.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/matmul.hpp"
#include "kernels/x86/x86_kernels.hpp"

#include <cstdint>
#include <immintrin.h>

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

float f16_scalar(const std::byte* p)
{
    return _cvtsh_ss(blocks::u16(p));
}

float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// One super-block of one row, unpacked once for every input of a tile: codes[g] are the
// unsigned codes of elements 32g .. 32g+31, scales[g] the int16 scale of each pair lane.
struct Unpacked {
    __m256i codes[8];
    __m256i signs[8]; // kSigned formats: the signed codes (codes[] holds their magnitudes)
    __m256i scales[8];
    __m256i offsets; // int16 per 16-value sub-block, dotted with the activation block sums
    float d, dmin;
};

// Q4_K/Q5_K's 12 scale bytes as three words (see blocks::k4_scale_min): sub-blocks 0-3 keep 6
// bits in bytes 0-3 (scale) and 4-7 (min); 4-7 take nibbles of bytes 8-11 plus the top two
// bits of bytes 0-3 / 4-7. Byte j of `scales` / `mins` is sub-block j's.
void k4_scales(const std::byte* p, std::uint64_t& scales, std::uint64_t& mins)
{
    const std::uint32_t a0 = blocks::u32(p), a1 = blocks::u32(p + 4), a2 = blocks::u32(p + 8);
    scales = (a0 & 0x3f3f3f3fu) | std::uint64_t{(a2 & 0x0f0f0f0fu) | (((a0 >> 6) & 0x03030303u) << 4)} << 32;
    mins = (a1 & 0x3f3f3f3fu) | std::uint64_t{((a2 >> 4) & 0x0f0f0f0fu) | (((a1 >> 6) & 0x03030303u) << 4)} << 32;
}

// Q4_K/Q5_K: elements 64c .. 64c+31 are the low nibbles of qs[32c ..], 64c+32 .. the high
// ones; Q5_K's 5th bit of element i is bit i / 32 of qh[i % 32].
template <bool Five>
struct K4 {
    static constexpr std::size_t kQs = Five ? 48 : 16;
    static constexpr std::size_t kBytes = Five ? 176 : 144;
    static constexpr bool kMins = true, kSigned = false;
    static constexpr int kShift = 0;
    static void unpack(const std::byte* b, Unpacked& u)
    {
        u.d = f16_scalar(b);
        u.dmin = f16_scalar(b + 2);
        std::uint64_t sc = 0, mn = 0;
        k4_scales(b + 4, sc, mn);
        // Min j covers activation sums 2j and 2j+1: bytes m0 m0 m1 m1 .. widened to int16.
        const __m128i pairs = _mm_shuffle_epi8(_mm_cvtsi64_si128(static_cast<long long>(mn)),
                                               _mm_set_epi8(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0));
        u.offsets = _mm256_cvtepu8_epi16(pairs);
        const __m256i low = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi8(1);
        const __m256i qh = Five ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16)) : _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {
            const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + kQs + 32 * c));
            u.codes[2 * c] = _mm256_and_si256(p, low);
            u.codes[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(p, 4), low);
            if constexpr (Five) {
                for (int half = 0; half < 2; ++half) {
                    const __m256i bit = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * c + half)), one);
                    u.codes[2 * c + half] = _mm256_or_si256(u.codes[2 * c + half], _mm256_slli_epi16(bit, 4));
                }
            }
            u.scales[2 * c] = _mm256_set1_epi16(static_cast<std::int16_t>((sc >> (16 * c)) & 0xff));
            u.scales[2 * c + 1] = _mm256_set1_epi16(static_cast<std::int16_t>((sc >> (16 * c + 8)) & 0xff));
        }
    }
};
using Q4K = K4<false>;
using Q5K = K4<true>;

// Q6_K: element 128h + 32p + l has its low 4 bits in ql[64h + l + 32(p%2)] (low nibble for
// p < 2, high for p >= 2) and its top 2 bits at bit 2p of qh[32h + l]; stored as q + 32.
struct Q6K {
    static constexpr std::size_t kBytes = 210;
    static constexpr bool kMins = false, kSigned = false;
    static constexpr int kShift = 5; // codes stored as q + 32
    static void unpack(const std::byte* b, Unpacked& u)
    {
        u.d = f16_scalar(b + 208);
        u.dmin = 0.0f;
        u.offsets = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 192)));
        const __m256i low = _mm256_set1_epi8(0x0f), two = _mm256_set1_epi8(0x03);
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64 * h));
            const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64 * h + 32));
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 128 + 32 * h));
            const __m256i lows[4] = {_mm256_and_si256(ql0, low), _mm256_and_si256(ql1, low),
                                     _mm256_and_si256(_mm256_srli_epi16(ql0, 4), low),
                                     _mm256_and_si256(_mm256_srli_epi16(ql1, 4), low)};
            for (int p = 0; p < 4; ++p) {
                const __m256i top = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * p), two);
                u.codes[4 * h + p] = _mm256_or_si256(lows[p], _mm256_slli_epi16(top, 4));
                const int sub = 8 * h + 2 * p;
                u.scales[4 * h + p] = _mm256_set_m128i(_mm_set1_epi16(static_cast<std::int16_t>(blocks::q6k_scale(b, sub + 1))),
                                                       _mm_set1_epi16(static_cast<std::int16_t>(blocks::q6k_scale(b, sub))));
            }
        }
    }
};

// The scales of sub-blocks 2p and 2p+1 (16 values each) over the two 128-bit halves of a
// register of 32 codes.
__m256i scale_pair(int lo, int hi)
{
    return _mm256_set_m128i(_mm_set1_epi16(static_cast<std::int16_t>(hi)), _mm_set1_epi16(static_cast<std::int16_t>(lo)));
}

// Q2_K: element 128h + 32p + l is bits 2p..2p+1 of qs[32h + l] (qs at byte 16); byte s of
// scales[16] holds sub-block s's scale (low nibble) and min (high nibble).
struct Q2K {
    static constexpr std::size_t kBytes = 84;
    static constexpr bool kMins = true, kSigned = false;
    static constexpr int kShift = 0;
    static void unpack(const std::byte* b, Unpacked& u)
    {
        u.d = f16_scalar(b + 80);
        u.dmin = f16_scalar(b + 82);
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
        const __m128i nib = _mm_set1_epi8(0x0f);
        u.offsets = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), nib));
        alignas(16) std::uint8_t sc[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(sc), _mm_and_si128(raw, nib));
        const __m256i three = _mm256_set1_epi8(3);
        for (int h = 0; h < 2; ++h) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16 + 32 * h));
            for (int p = 0; p < 4; ++p) {
                u.codes[4 * h + p] = _mm256_and_si256(_mm256_srl_epi16(q, _mm_cvtsi32_si128(2 * p)), three);
                u.scales[4 * h + p] = scale_pair(sc[8 * h + 2 * p], sc[8 * h + 2 * p + 1]);
            }
        }
    }
};

// Q3_K: element 128h + 32p + l takes bits 2p..2p+1 of qs[32h + l] (qs at byte 32) and bit
// 4h + p of hmask[l] (bytes 0-31); the code is that minus 4 unless the bit is set, stored here
// as low | bit << 2 = q + 4 (0..7). Scales: blocks::q3k_scale - 32.
struct Q3K {
    static constexpr std::size_t kBytes = 110;
    static constexpr bool kMins = false, kSigned = false;
    static constexpr int kShift = 2; // codes stored as q + 4
    static void unpack(const std::byte* b, Unpacked& u)
    {
        u.d = f16_scalar(b + 108);
        u.dmin = 0.0f;
        alignas(32) std::int16_t sc[16];
        for (std::size_t s = 0; s < 16; ++s)
            sc[s] = static_cast<std::int16_t>(blocks::q3k_scale(b + 96, s) - 32);
        u.offsets = _mm256_load_si256(reinterpret_cast<const __m256i*>(sc));
        const __m256i three = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
        const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
        for (int h = 0; h < 2; ++h) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32 + 32 * h));
            for (int p = 0; p < 4; ++p) {
                const __m256i low = _mm256_and_si256(_mm256_srl_epi16(q, _mm_cvtsi32_si128(2 * p)), three);
                const __m256i hb = _mm256_and_si256(_mm256_srl_epi16(hm, _mm_cvtsi32_si128(4 * h + p)), one);
                u.codes[4 * h + p] = _mm256_or_si256(low, _mm256_slli_epi16(hb, 2));
                u.scales[4 * h + p] = scale_pair(sc[8 * h + 2 * p], sc[8 * h + 2 * p + 1]);
            }
        }
    }
};

// IQ4_XS: sub-block s (32 values) is the nibble row qs[16s .. 16s+15] (qs at byte 8), each
// nibble an index into kIq4Grid; scale blocks::iq4xs_scale - 32.
struct IQ4XS {
    static constexpr std::size_t kBytes = 136;
    static constexpr bool kMins = false, kSigned = true;
    static constexpr int kShift = 0;
    static void unpack(const std::byte* b, Unpacked& u)
    {
        u.d = f16_scalar(b);
        u.dmin = 0.0f;
        u.offsets = _mm256_setzero_si256();
        const __m256i grid = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks::kIq4Grid.data())));
        const __m128i nib = _mm_set1_epi8(0x0f);
        for (int s = 0; s < 8; ++s) {
            const __m128i p = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 8 + 16 * s));
            const __m256i idx = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(p, 4), nib), _mm_and_si128(p, nib));
            u.signs[s] = _mm256_shuffle_epi8(grid, idx);
            u.codes[s] = _mm256_abs_epi8(u.signs[s]);
            u.scales[s] = _mm256_set1_epi16(static_cast<std::int16_t>(blocks::iq4xs_scale(b, s) - 32));
        }
    }
};

// One row times inputs [t, t + T): per block, the codes unpacked once and dotted with each input.
template <class W, int T>
void row_tile(const WeightView& w, std::size_t stride, const std::byte* xq, float* y, std::size_t r, std::size_t t)
{
    const std::size_t nb = w.cols / blocks::kSuperBlock;
    const std::byte* row = w.data + r * stride;
    XkRow xr[T];
    __m256 acc[T], accm[T];
    for (int j = 0; j < T; ++j) {
        xr[j] = xk_row(xq, nb, t + j);
        acc[j] = _mm256_setzero_ps();
        accm[j] = _mm256_setzero_ps();
    }
    for (std::size_t k = 0; k < nb; ++k) {
        const std::byte* blk = row + k * W::kBytes;
        if constexpr (T == 1) // decode: the block four rows on into L2 (the next row's came too late)
            for (std::size_t line = 0; line < W::kBytes; line += 64)
                _mm_prefetch(reinterpret_cast<const char*>(blk + 4 * stride + line), _MM_HINT_T1);
        Unpacked u;
        W::unpack(blk, u);
        for (int j = 0; j < T; ++j) {
            const std::int8_t* xb = xr[j].q + 256 * k;
            __m256i isum = _mm256_setzero_si256();
            for (int g = 0; g < 8; ++g) {
                __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb + 32 * g));
                if constexpr (W::kSigned)
                    x = _mm256_sign_epi8(x, u.signs[g]);
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(_mm256_maddubs_epi16(u.codes[g], x), u.scales[g]));
            }
            // Offsets (the mins, or the scales times the codes' stored offset 2^kShift) times
            // the 16 activation sums: exact.
            const float dx = xr[j].d[k];
            if constexpr (W::kMins || W::kShift > 0) {
                const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[j].bsum + 16 * k));
                const __m256i off = _mm256_madd_epi16(bs, u.offsets);
                if constexpr (W::kMins)
                    accm[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(off), _mm256_set1_ps(u.dmin * dx), accm[j]);
                else
                    isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(off, W::kShift));
            }
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(u.d * dx), acc[j]);
        }
    }
    for (int j = 0; j < T; ++j)
        y[(t + j) * w.rows + r] = W::kMins ? hsum(acc[j]) - hsum(accm[j]) : hsum(acc[j]);
}

template <class W>
void kquant_rows_of(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    tiling::for_each_tile<1, 4>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        row_tile<W, T>(w, stride, xq, y, r, t);
    });
}

} // namespace

bool kquant_rows(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t row_begin,
                 std::size_t row_end)
{
    switch (w.dtype) {
    case DType::Q4_K: kquant_rows_of<Q4K>(w, xq, n, y, row_begin, row_end); return true;
    case DType::Q5_K: kquant_rows_of<Q5K>(w, xq, n, y, row_begin, row_end); return true;
    case DType::Q6_K: kquant_rows_of<Q6K>(w, xq, n, y, row_begin, row_end); return true;
    case DType::Q2_K: kquant_rows_of<Q2K>(w, xq, n, y, row_begin, row_end); return true;
    case DType::Q3_K: kquant_rows_of<Q3K>(w, xq, n, y, row_begin, row_end); return true;
    case DType::IQ4_XS: kquant_rows_of<IQ4XS>(w, xq, n, y, row_begin, row_end); return true;
    default: return false;
    }
}

} // namespace edge_rt::kernels::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
