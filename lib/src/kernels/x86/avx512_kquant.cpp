// AVX-512 (BW, VL, VNNI) products of the K-quants Q2_K..Q6_K and IQ4_XS with Q8x256 activations.
// A super-block's codes are unpacked to unsigned bytes laid out like the activations (64 per
// register), vpmaddubsw sums pairs of code x activation into int16 (no saturation: codes are
// at most 63, |q| at most 127), and vpdpwssd multiplies those by the sub-block scales and adds
// them into int32 lanes. Everything up to a block's integer sum is exact; per block one float
// multiply-add by d_w * d_x, so the only difference to scalar::matmul_rows_quantized is the
// float accumulation order. IQ4_XS's grid values are signed: their magnitudes go into
// vpmaddubsw and their signs onto the activations (|q| <= 127: no saturation). Entered only through avx512_kernels() (cpu_features() checked).
#include "core/block_formats.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/matmul.hpp"
#include "kernels/x86/x86_kernels.hpp"

#include <cstdint>
#include <immintrin.h>

// clang has no GCC target pragma: it applies the same target attribute to every function.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")
#endif
#include "kernels/row_tiles.hpp"

namespace edge_rt::kernels::avx512 {
namespace {

float f16_scalar(const std::byte* p)
{
    return _cvtsh_ss(blocks::u16(p));
}

// Index vector for vpermw: int16 lane i takes element base + i / width.
__m512i spread_index(int base, int width)
{
    alignas(64) std::int16_t idx[32];
    for (int i = 0; i < 32; ++i)
        idx[i] = static_cast<std::int16_t>(base + i / width);
    return _mm512_load_si512(idx);
}

// vpermw indices of a format, built once per call.
struct Indices {
    __m512i scale[4]; // int16 lane i of codes[g] -> its sub-block's scale
    __m256i pairs;    // 0,0,1,1,..,7,7: a 32-value sub-block's min covers two activation sums
};

// One super-block of one row, unpacked once and reused for every input of a tile.
struct Unpacked {
    __m512i codes[4];   // unsigned codes of elements 64g .. 64g+63
    __mmask64 neg[4];   // kSigned formats: the bytes whose code is negative (codes holds |code|)
    __m512i scales[4];  // int16 sub-block scale of each int16 pair lane of codes[g]
    __m256i offsets;    // int16 per 16-value sub-block, dotted with the activation block sums
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

// Q4_K and Q5_K: element 64c + l is the low nibble of qs[32c + l], 64c + 32 + l its high
// nibble, so one 32-byte load doubled and shifted gives 64 codes in activation order. Q5_K
// adds bit (i / 32) of qh[i % 32] as the 5th bit of element i.
template <bool Five>
struct K4 {
    static constexpr std::size_t kQs = Five ? 48 : 16;
    static constexpr std::size_t kBytes = Five ? 176 : 144;
    static constexpr bool kMins = true, kSigned = false;
    static constexpr int kSub = 32, kShift = 0;
    static void unpack(const std::byte* b, const Indices& ix, Unpacked& u)
    {
        u.d = f16_scalar(b);
        u.dmin = f16_scalar(b + 2);
        std::uint64_t sc = 0, mn = 0;
        k4_scales(b + 4, sc, mn);
        const __m512i sc16 = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(sc))));
        const __m256i mn16 = _mm256_castsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(mn))));
        // Min j covers activation sums 2j and 2j+1.
        u.offsets = _mm256_permutexvar_epi16(ix.pairs, mn16);
        const __m512i low = _mm512_set1_epi8(0x0f);
        const __m512i shifts = _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0);
        __m512i qh2 = _mm512_setzero_si512();
        if constexpr (Five) {
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
            qh2 = _mm512_inserti64x4(_mm512_castsi256_si512(qh), qh, 1);
        }
        for (int c = 0; c < 4; ++c) {
            const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + kQs + 32 * c));
            const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(p), p, 1);
            u.codes[c] = _mm512_and_si512(_mm512_srlv_epi64(both, shifts), low);
            if constexpr (Five) {
                // Bits 2c (low half) and 2c + 1 (high half) of qh, moved to bit 4.
                const __m512i at = _mm512_srlv_epi64(qh2, _mm512_set_epi64(2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1,
                                                                            2 * c, 2 * c, 2 * c, 2 * c));
                u.codes[c] = _mm512_or_si512(u.codes[c], _mm512_slli_epi16(_mm512_and_si512(at, _mm512_set1_epi8(1)), 4));
            }
            u.scales[c] = _mm512_permutexvar_epi16(ix.scale[c], sc16);
        }
    }
};
using Q4K = K4<false>;
using Q5K = K4<true>;

// Q6_K: half h's 64 ql bytes hold elements 128h + 0..63 in their low nibbles and + 64..127 in
// their high nibbles; the top two bits of element 128h + 32p + l are bits 2p of qh[32h + l].
// Codes are stored as q + 32 (0..63); the 32 comes back out through the activation sums.
struct Q6K {
    static constexpr std::size_t kBytes = 210;
    static constexpr bool kMins = false, kSigned = false;
    static constexpr int kSub = 16, kShift = 5; // codes stored as q + 32
    static void unpack(const std::byte* b, const Indices& ix, Unpacked& u)
    {
        u.d = f16_scalar(b + 208);
        u.dmin = 0.0f;
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 192)));
        u.offsets = sc16;
        const __m512i sc512 = _mm512_castsi256_si512(sc16);
        const __m512i low = _mm512_set1_epi8(0x0f), two = _mm512_set1_epi8(0x03);
        for (int h = 0; h < 2; ++h) {
            const __m512i ql = _mm512_loadu_si512(b + 64 * h);
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 128 + 32 * h));
            // Bits 0-1 for elements 0..31 of the half, bits 2-3 for 32..63 (bits 4-7 shifted later).
            const __m512i hi01 = _mm512_srlv_epi64(_mm512_inserti64x4(_mm512_castsi256_si512(qh), qh, 1),
                                                   _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0));
            const __m512i hi23 = _mm512_srli_epi16(hi01, 4);
            u.codes[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, low),
                                             _mm512_slli_epi16(_mm512_and_si512(hi01, two), 4));
            u.codes[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low),
                                                 _mm512_slli_epi16(_mm512_and_si512(hi23, two), 4));
            u.scales[2 * h] = _mm512_permutexvar_epi16(ix.scale[2 * h], sc512);
            u.scales[2 * h + 1] = _mm512_permutexvar_epi16(ix.scale[2 * h + 1], sc512);
        }
    }
};

// Q2_K / Q3_K: element 128h + 32p + l is bits 2p..2p+1 of byte l of the half's 32 q bytes
// (`q`); register g = 2h + gg holds p = 2gg in its low and 2gg + 1 in its high 256 bits.
__m512i two_bits(__m256i q, int gg)
{
    const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(q), q, 1);
    const long long lo = 4 * gg, hi = 4 * gg + 2;
    return _mm512_and_si512(_mm512_srlv_epi64(both, _mm512_set_epi64(hi, hi, hi, hi, lo, lo, lo, lo)), _mm512_set1_epi8(3));
}

// Q2_K: qs at byte 16; byte s of scales[16] holds sub-block s's scale (low nibble) and min (high).
struct Q2K {
    static constexpr std::size_t kBytes = 84;
    static constexpr bool kMins = true, kSigned = false;
    static constexpr int kSub = 16, kShift = 0;
    static void unpack(const std::byte* b, const Indices& ix, Unpacked& u)
    {
        u.d = f16_scalar(b + 80);
        u.dmin = f16_scalar(b + 82);
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
        const __m128i nib = _mm_set1_epi8(0x0f);
        u.offsets = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), nib));
        const __m512i sc512 = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_and_si128(raw, nib)));
        for (int h = 0; h < 2; ++h) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16 + 32 * h));
            for (int gg = 0; gg < 2; ++gg) {
                u.codes[2 * h + gg] = two_bits(q, gg);
                u.scales[2 * h + gg] = _mm512_permutexvar_epi16(ix.scale[2 * h + gg], sc512);
            }
        }
    }
};

// Q3_K: Q2_K's two low bits (qs at byte 32) plus bit 4h + p of hmask[l] (bytes 0-31); the
// code is that minus 4, stored here as q + 4 (0..7). Scales: blocks::q3k_scale - 32.
struct Q3K {
    static constexpr std::size_t kBytes = 110;
    static constexpr bool kMins = false, kSigned = false;
    static constexpr int kSub = 16, kShift = 2; // codes stored as q + 4
    static void unpack(const std::byte* b, const Indices& ix, Unpacked& u)
    {
        u.d = f16_scalar(b + 108);
        u.dmin = 0.0f;
        alignas(32) std::int16_t sc[16];
        for (std::size_t s = 0; s < 16; ++s)
            sc[s] = static_cast<std::int16_t>(blocks::q3k_scale(b + 96, s) - 32);
        u.offsets = _mm256_load_si256(reinterpret_cast<const __m256i*>(sc));
        const __m512i sc512 = _mm512_castsi256_si512(u.offsets);
        const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
        const __m512i hm2 = _mm512_inserti64x4(_mm512_castsi256_si512(hm), hm, 1);
        for (int h = 0; h < 2; ++h) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32 + 32 * h));
            for (int gg = 0; gg < 2; ++gg) {
                const long long lo = 4 * h + 2 * gg, hi = lo + 1;
                const __m512i hb = _mm512_and_si512(_mm512_srlv_epi64(hm2, _mm512_set_epi64(hi, hi, hi, hi, lo, lo, lo, lo)),
                                                    _mm512_set1_epi8(1));
                u.codes[2 * h + gg] = _mm512_or_si512(two_bits(q, gg), _mm512_slli_epi16(hb, 2));
                u.scales[2 * h + gg] = _mm512_permutexvar_epi16(ix.scale[2 * h + gg], sc512);
            }
        }
    }
};

// IQ4_XS: sub-block s (32 values) is the nibble row qs[16s .. 16s+15] (qs at byte 8), each
// nibble an index into kIq4Grid (signed); scale blocks::iq4xs_scale - 32.
struct IQ4XS {
    static constexpr std::size_t kBytes = 136;
    static constexpr bool kMins = false, kSigned = true;
    static constexpr int kSub = 32, kShift = 0;
    static void unpack(const std::byte* b, const Indices& ix, Unpacked& u)
    {
        u.d = f16_scalar(b);
        u.dmin = 0.0f;
        u.offsets = _mm256_setzero_si256();
        alignas(16) std::int16_t sc[8];
        for (std::size_t s = 0; s < 8; ++s)
            sc[s] = static_cast<std::int16_t>(blocks::iq4xs_scale(b, s) - 32);
        const __m512i sc512 = _mm512_castsi128_si512(_mm_load_si128(reinterpret_cast<const __m128i*>(sc)));
        const __m512i grid = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks::kIq4Grid.data())));
        for (int g = 0; g < 4; ++g) {
            // 128-bit lanes: low nibbles of sub-block 2g, its high nibbles, then 2g + 1's.
            const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 8 + 32 * g));
            const __m512i spread = _mm512_shuffle_i64x2(_mm512_castsi256_si512(p), _mm512_castsi256_si512(p), _MM_SHUFFLE(1, 1, 0, 0));
            const __m512i idx = _mm512_and_si512(_mm512_srlv_epi64(spread, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0)), _mm512_set1_epi8(0x0f));
            const __m512i v = _mm512_shuffle_epi8(grid, idx);
            u.neg[g] = _mm512_movepi8_mask(v);
            u.codes[g] = _mm512_abs_epi8(v);
            u.scales[g] = _mm512_permutexvar_epi16(ix.scale[g], sc512);
        }
    }
};

// 32-value sub-blocks (Q4_K, Q5_K, IQ4_XS) spread the scales of sub-blocks 2g, 2g+1 over 16
// int16 lanes each; 16-value ones (Q2_K, Q3_K, Q6_K) those of 4g .. 4g+3 over 8 lanes each.
template <class W>
Indices make_indices()
{
    Indices ix;
    for (int g = 0; g < 4; ++g)
        ix.scale[g] = W::kSub == 32 ? spread_index(2 * g, 16) : spread_index(4 * g, 8);
    ix.pairs = _mm512_castsi512_si256(spread_index(0, 2));
    return ix;
}

// One row times inputs [t, t + T): per block, the codes unpacked once and dotted with each input.
template <class W, int T>
void row_tile(const WeightView& w, std::size_t stride, const std::byte* xq, float* y, std::size_t r,
              std::size_t t, const Indices& ix)
{
    const std::size_t nb = w.cols / blocks::kSuperBlock;
    const std::byte* row = w.data + r * stride;
    XkRow xr[T];
    __m512 acc[T];
    __m256 accm[T];
    for (int j = 0; j < T; ++j) {
        xr[j] = xk_row(xq, nb, t + j);
        acc[j] = _mm512_setzero_ps();
        accm[j] = _mm256_setzero_ps();
    }
    for (std::size_t k = 0; k < nb; ++k) {
        const std::byte* blk = row + k * W::kBytes;
        if constexpr (T == 1) // decode: the block four rows on into L2 (the next row's came too late)
            for (std::size_t line = 0; line < W::kBytes; line += 64)
                _mm_prefetch(reinterpret_cast<const char*>(blk + 4 * stride + line), _MM_HINT_T1);
        Unpacked u;
        W::unpack(blk, ix, u);
        for (int j = 0; j < T; ++j) {
            const std::int8_t* xb = xr[j].q + 256 * k;
            __m512i isum = _mm512_setzero_si512();
            for (int g = 0; g < 4; ++g) {
                __m512i x = _mm512_loadu_si512(xb + 64 * g);
                if constexpr (W::kSigned)
                    x = _mm512_mask_sub_epi8(x, u.neg[g], _mm512_setzero_si512(), x);
                const __m512i pairs = _mm512_maddubs_epi16(u.codes[g], x);
                isum = _mm512_dpwssd_epi32(isum, pairs, u.scales[g]);
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
                    isum = _mm512_sub_epi32(isum, _mm512_zextsi256_si512(_mm256_slli_epi32(off, W::kShift)));
            }
            acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(u.d * dx), acc[j]);
        }
    }
    for (int j = 0; j < T; ++j) {
        float s = _mm512_reduce_add_ps(acc[j]);
        if constexpr (W::kMins) {
            const __m128 m4 = _mm_add_ps(_mm256_castps256_ps128(accm[j]), _mm256_extractf128_ps(accm[j], 1));
            const __m128 m2 = _mm_add_ps(m4, _mm_movehl_ps(m4, m4));
            s -= _mm_cvtss_f32(_mm_add_ss(m2, _mm_movehdup_ps(m2)));
        }
        y[(t + j) * w.rows + r] = s;
    }
}

template <class W>
void kquant_rows_of(const WeightView& w, const std::byte* xq, std::size_t n, float* y, std::size_t r0, std::size_t r1)
{
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    const Indices ix = make_indices<W>();
    tiling::for_each_tile<1, 4>(r0, r1, n, [&]<int R, int T>(std::size_t r, std::size_t t) {
        row_tile<W, T>(w, stride, xq, y, r, t, ix);
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

} // namespace edge_rt::kernels::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif
