#include "core/scale_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace edge_rt::quant_fit {
namespace {

// Candidate targets: the extreme value lands on code (end + kSpread * k / kSteps), k in
// -kSteps..kSteps, so scales slightly larger and smaller than the obvious one are tried.
constexpr int kSteps = 8;
constexpr float kSpread = 0.8f;

int round_clamp(float v, int lo, int hi)
{
    return std::clamp(static_cast<int>(std::nearbyint(v)), lo, hi);
}

} // namespace

void codes_for(std::span<const float> x, float scale, float offset, int qmin, int qmax, int* q)
{
    const float inv = scale != 0.0f ? 1.0f / scale : 0.0f;
    for (std::size_t i = 0; i < x.size(); ++i)
        q[i] = scale != 0.0f ? round_clamp((x[i] - offset) * inv, qmin, qmax) : std::clamp(0, qmin, qmax);
}

double squared_error(std::span<const float> x, float scale, float offset, const int* q)
{
    double e = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double d = static_cast<double>(x[i]) - (static_cast<double>(scale) * q[i] + offset);
        e += d * d;
    }
    return e;
}

float fit_symmetric(std::span<const float> x, int qmin, int qmax, int* q)
{
    float vmax = 0.0f;
    for (const float v : x)
        if (std::fabs(v) > std::fabs(vmax))
            vmax = v;
    if (vmax == 0.0f) {
        codes_for(x, 0.0f, 0.0f, qmin, qmax, q);
        return 0.0f;
    }
    std::vector<int> trial(x.size());
    double best = std::numeric_limits<double>::infinity();
    float best_scale = 0.0f;
    for (const int end : {qmin, qmax}) {
        for (int k = -kSteps; k <= kSteps; ++k) {
            const float target = static_cast<float>(end) + (end < 0 ? -1.0f : 1.0f) * kSpread * k / kSteps;
            if (target == 0.0f || (target > 0.0f) != (end > 0))
                continue;
            float scale = vmax / target;
            codes_for(x, scale, 0.0f, qmin, qmax, trial.data());
            double xq = 0, qq = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                xq += static_cast<double>(x[i]) * trial[i];
                qq += static_cast<double>(trial[i]) * trial[i];
            }
            if (qq > 0)
                scale = static_cast<float>(xq / qq);
            codes_for(x, scale, 0.0f, qmin, qmax, trial.data());
            const double e = squared_error(x, scale, 0.0f, trial.data());
            if (e < best) {
                best = e;
                best_scale = scale;
                std::copy(trial.begin(), trial.end(), q);
            }
        }
    }
    return best_scale;
}

AffineFit fit_affine(std::span<const float> x, int qmax, bool offset_nonpositive, int* q)
{
    const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
    const float lo = offset_nonpositive ? std::min(0.0f, *lo_it) : *lo_it, hi = *hi_it;
    AffineFit best_fit{0.0f, lo};
    if (!(hi > lo)) {
        codes_for(x, 0.0f, lo, 0, qmax, q);
        return best_fit;
    }
    std::vector<int> trial(x.size());
    const auto n = static_cast<double>(x.size());
    double best = std::numeric_limits<double>::infinity();
    for (int k = -kSteps; k <= kSteps; ++k) {
        AffineFit f{(hi - lo) / (static_cast<float>(qmax) + kSpread * k / kSteps), lo};
        codes_for(x, f.scale, f.offset, 0, qmax, trial.data());
        double sq = 0, sqq = 0, sx = 0, sxq = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            sq += trial[i];
            sqq += static_cast<double>(trial[i]) * trial[i];
            sx += x[i];
            sxq += static_cast<double>(x[i]) * trial[i];
        }
        const double det = n * sqq - sq * sq;
        if (det > 0) { // least-squares (scale, offset) for these codes
            double s = (n * sxq - sq * sx) / det, o = (sx * sqq - sq * sxq) / det;
            if (offset_nonpositive && o > 0) {
                o = 0;
                s = sxq / sqq;
            }
            if (s > 0)
                f = {static_cast<float>(s), static_cast<float>(o)};
        }
        codes_for(x, f.scale, f.offset, 0, qmax, trial.data());
        const double e = squared_error(x, f.scale, f.offset, trial.data());
        if (e < best) {
            best = e;
            best_fit = f;
            std::copy(trial.begin(), trial.end(), q);
        }
    }
    return best_fit;
}

void fit_grid_codes(std::span<const float> x, std::span<const float, 16> grid, float scale, int* q)
{
    const float inv = 1.0f / scale;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const float t = x[i] * inv;
        const auto it = std::lower_bound(grid.begin(), grid.end(), t);
        int k = static_cast<int>(it - grid.begin());
        if (k == 16 || (k > 0 && t - grid[k - 1] < grid[k] - t))
            --k;
        q[i] = k;
    }
}

float fit_grid(std::span<const float> x, std::span<const float, 16> grid, int* q)
{
    float vmax = 0.0f;
    for (const float v : x)
        if (std::fabs(v) > std::fabs(vmax))
            vmax = v;
    if (vmax == 0.0f) {
        // the grid has no 0: the nearest value to 0 times a zero scale
        std::fill(q, q + x.size(), 8);
        return 0.0f;
    }
    auto nearest = [&](float scale, int* out) { fit_grid_codes(x, grid, scale, out); };
    std::vector<int> trial(x.size());
    double best = std::numeric_limits<double>::infinity();
    float best_scale = 0.0f;
    for (const float end : {grid.front(), grid.back()}) {
        for (int k = -kSteps; k <= kSteps; ++k) {
            float scale = vmax / (end * (1.0f + 0.08f * k / kSteps));
            nearest(scale, trial.data());
            double xg = 0, gg = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                xg += static_cast<double>(x[i]) * grid[trial[i]];
                gg += static_cast<double>(grid[trial[i]]) * grid[trial[i]];
            }
            scale = static_cast<float>(xg / gg);
            nearest(scale, trial.data());
            double e = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                const double d = x[i] - static_cast<double>(scale) * grid[trial[i]];
                e += d * d;
            }
            if (e < best) {
                best = e;
                best_scale = scale;
                std::copy(trial.begin(), trial.end(), q);
            }
        }
    }
    return best_scale;
}

} // namespace edge_rt::quant_fit
