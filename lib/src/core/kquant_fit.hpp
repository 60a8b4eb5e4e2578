// The format-independent part of the K-quant quantisers: fit a 256-value super-block as
// sub-blocks of integer codes, each with an integer scale (and min) times one f16 super-scale
// d (and dmin). The packers in kquant_encode.cpp only lay the result out in bytes.
#pragma once

#include <array>
#include <cstddef>

namespace edge_rt::quant_fit {

/// The integer ranges of one K-quant format.
struct KSpec {
    int n_sub;       ///< sub-blocks per 256 values (8 or 16)
    int qmin, qmax;  ///< element codes
    int smin, smax;  ///< sub-block scale codes
    bool affine;     ///< x = d*ls*q - dmin*lm (else x = d*ls*q)
    int mmax = 0;    ///< min codes 0..mmax (affine only)
};

/// Codes of one super-block: element i of sub-block i/(256/n_sub) decodes to
/// d*ls*q[i] - dmin*lm. d and dmin are already rounded to f16.
struct KFit {
    std::array<int, 256> q{};
    std::array<int, 16> ls{}, lm{};
    float d = 0, dmin = 0;
};

/// Fits `x` (256 values): a scale search per sub-block, the sub-block scales (and mins)
/// quantised against d (and dmin), a local search of each sub-block's scale codes, then
/// least-squares refits of d and dmin with the codes re-chosen for the rounded values.
KFit fit_kquant(const float* x, const KSpec& spec);

} // namespace edge_rt::quant_fit
