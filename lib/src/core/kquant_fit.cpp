#include "core/kquant_fit.hpp"

#include "core/half.hpp"
#include "core/scale_fit.hpp"

#include <algorithm>
#include <cmath>
#include <span>

namespace edge_rt::quant_fit {
namespace {

constexpr std::size_t kBlock = 256;

float f16_round(float v) { return f16_to_f32(f32_to_f16(v)); }

struct Sub {
    std::span<const float> x;
    int* q;
};

// Codes and error of sub-block `s` for scale code ls and min code lm under (d, dmin).
double sub_error(const Sub& s, const KSpec& spec, float d, float dmin, int ls, int lm)
{
    const float scale = d * static_cast<float>(ls), offset = -dmin * static_cast<float>(lm);
    codes_for(s.x, scale, offset, spec.qmin, spec.qmax, s.q);
    return squared_error(s.x, scale, offset, s.q);
}

// For fixed d/dmin, each sub-block tries its scale (and min) code +-1 around the current one.
double choose_codes(const float* x, const KSpec& spec, KFit& f)
{
    const std::size_t len = kBlock / static_cast<std::size_t>(spec.n_sub);
    double total = 0;
    int trial[32];
    for (int j = 0; j < spec.n_sub; ++j) {
        const Sub s{std::span(x + j * len, len), f.q.data() + j * len};
        const Sub t{s.x, trial};
        double best = sub_error(s, spec, f.d, f.dmin, f.ls[j], f.lm[j]);
        int best_ls = f.ls[j], best_lm = f.lm[j];
        for (int dl = -1; dl <= 1; ++dl)
            for (int dm = spec.affine ? -1 : 0; dm <= (spec.affine ? 1 : 0); ++dm) {
                const int ls = f.ls[j] + dl, lm = f.lm[j] + dm;
                if ((dl == 0 && dm == 0) || ls < spec.smin || ls > spec.smax || lm < 0 || lm > spec.mmax)
                    continue;
                const double e = sub_error(t, spec, f.d, f.dmin, ls, lm);
                if (e < best) {
                    best = e;
                    best_ls = ls;
                    best_lm = lm;
                    std::copy(trial, trial + len, s.q);
                }
            }
        f.ls[j] = best_ls;
        f.lm[j] = best_lm;
        total += best;
    }
    return total;
}

// Least-squares d (and dmin) for fixed integer codes: x_i ≈ d*A_i - dmin*B_i.
void refit_scales(const float* x, const KSpec& spec, KFit& f)
{
    const std::size_t len = kBlock / static_cast<std::size_t>(spec.n_sub);
    double aa = 0, ab = 0, bb = 0, xa = 0, xb = 0;
    for (std::size_t i = 0; i < kBlock; ++i) {
        const double a = static_cast<double>(f.ls[i / len]) * f.q[i], b = -static_cast<double>(f.lm[i / len]);
        aa += a * a;
        ab += a * b;
        bb += b * b;
        xa += x[i] * a;
        xb += x[i] * b;
    }
    if (!spec.affine || bb == 0) {
        if (aa > 0)
            f.d = f16_round(static_cast<float>(xa / aa));
        return;
    }
    const double det = aa * bb - ab * ab;
    if (det <= 0)
        return;
    const double d = (xa * bb - xb * ab) / det, dmin = (aa * xb - ab * xa) / det;
    if (d > 0 && dmin >= 0) {
        f.d = f16_round(static_cast<float>(d));
        f.dmin = f16_round(static_cast<float>(dmin));
    }
}

} // namespace

KFit fit_kquant(const float* x, const KSpec& spec)
{
    const std::size_t len = kBlock / static_cast<std::size_t>(spec.n_sub);
    std::array<float, 16> scales{}, mins{};
    KFit f;
    for (int j = 0; j < spec.n_sub; ++j) {
        const std::span sub(x + j * len, len);
        if (spec.affine) {
            const AffineFit a = fit_affine(sub, spec.qmax, true, f.q.data() + j * len);
            scales[j] = a.scale;
            mins[j] = -a.offset;
        } else {
            scales[j] = fit_symmetric(sub, spec.qmin, spec.qmax, f.q.data() + j * len);
        }
    }
    const auto n = static_cast<std::size_t>(spec.n_sub);
    f.d = f16_round(fit_symmetric(std::span(scales.data(), n), spec.smin, spec.smax, f.ls.data()));
    if (spec.affine)
        f.dmin = f16_round(fit_symmetric(std::span(mins.data(), n), 0, spec.mmax, f.lm.data()));
    // fit_symmetric may pick a negative scale; the integer codes then carry the sign, which
    // only the signed formats (smin < 0) can store.
    if (f.d < 0 && spec.smin == 0)
        f.d = -f.d, std::transform(f.ls.begin(), f.ls.end(), f.ls.begin(), [](int v) { return -v; });
    if (f.dmin < 0)
        f.dmin = -f.dmin, std::transform(f.lm.begin(), f.lm.end(), f.lm.begin(), [](int v) { return -v; });
    double best = choose_codes(x, spec, f);
    for (int iter = 0; iter < 3; ++iter) {
        KFit g = f;
        refit_scales(x, spec, g);
        const double e = choose_codes(x, spec, g);
        if (!(e < best))
            break;
        best = e;
        f = g;
    }
    return f;
}

} // namespace edge_rt::quant_fit
