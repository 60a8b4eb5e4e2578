// Least-squares scale searches shared by the block quantisers. Each fits a small group of values
// with integer codes times a scale (plus an offset for affine formats): it tries a spread of
// candidate scales around the obvious one (largest value on the last code), re-fits the scale
// (and offset) to the codes each candidate gives by least squares, and keeps the fit with the
// smallest squared error. Unweighted: the quantity we report and test is plain RMSE.
#pragma once

#include <cstddef>
#include <span>

namespace edge_rt::quant_fit {

/// x ≈ scale * q, q in [qmin, qmax] (qmin < 0 < qmax). The scale may be negative (then the
/// largest magnitude lands on whichever end fits best). Writes the codes to `q`; returns the scale
/// (0 for an all-zero group, with every code 0).
float fit_symmetric(std::span<const float> x, int qmin, int qmax, int* q);

struct AffineFit {
    float scale = 0; ///< >= 0
    float offset = 0;
};

/// x ≈ scale * q + offset, q in [0, qmax]. With `offset_nonpositive` (the K-quants store a
/// subtracted min) the offset is kept <= 0. Writes the codes to `q`.
AffineFit fit_affine(std::span<const float> x, int qmax, bool offset_nonpositive, int* q);

/// x ≈ scale * grid[q] for a sorted grid of 16 values (IQ4_NL). Writes the indices to `q`.
float fit_grid(std::span<const float> x, std::span<const float, 16> grid, int* q);

/// The nearest grid indices for a fixed scale (non-zero).
void fit_grid_codes(std::span<const float> x, std::span<const float, 16> grid, float scale, int* q);

/// Codes for a fixed scale/offset: q = clamp(round((x - offset) / scale)); 0 when scale is 0.
void codes_for(std::span<const float> x, float scale, float offset, int qmin, int qmax, int* q);

/// Sum of (x - (scale*q + offset))^2.
double squared_error(std::span<const float> x, float scale, float offset, const int* q);

} // namespace edge_rt::quant_fit
