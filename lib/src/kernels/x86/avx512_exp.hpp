// e^x on 16 floats for the AVX-512 softmax and SiLU: x = n ln2 + r with |r| <= ln2/2 (ln2 split
// in two so n*ln2 is exact), e^r by its Taylor series to r^7 (truncation below 1e-8 relative),
// then scaled by 2^n. Within a few float ulps of exp() for x in [-87, 88]; below that the
// result goes smoothly to 0, above it is +inf (as exp's would be). Include after an AVX-512
// target pragma.
#pragma once

#include <immintrin.h>

namespace edge_rt::kernels::avx512 {
namespace {

inline __m512 exp16(__m512 x)
{
    x = _mm512_max_ps(x, _mm512_set1_ps(-104.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.42860682030941723e-6f), r);
    __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// Lanes [0, n) of a 16-lane step (n < 16 only at a tail).
inline __mmask16 first_lanes(std::size_t n)
{
    return n >= 16 ? __mmask16{0xffff} : static_cast<__mmask16>((1u << n) - 1);
}

} // namespace
} // namespace edge_rt::kernels::avx512
