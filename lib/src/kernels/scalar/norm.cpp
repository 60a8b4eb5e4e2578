// RMSNorm (Llama) and LayerNorm with bias (GPT-2). Statistics in double, two passes.
#include "kernels/scalar/scalar.hpp"

#include <cmath>

namespace edge_rt::kernels::scalar {

void rmsnorm(const float* x, const float* weight, std::size_t n, float eps, float* out)
{
    const double mean_sq = dot(x, x, n) / static_cast<double>(n);
    const double scale = 1.0 / std::sqrt(mean_sq + static_cast<double>(eps));
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(x[i] * scale * weight[i]);
}

void layernorm(const float* x, const float* weight, const float* bias, std::size_t n, float eps, float* out)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        sum += x[i];
    const double mean = sum / static_cast<double>(n);
    double var = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        var += (x[i] - mean) * (x[i] - mean);
    var /= static_cast<double>(n); // biased variance, as LayerNorm defines it
    const double scale = 1.0 / std::sqrt(var + static_cast<double>(eps));
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>((x[i] - mean) * scale * weight[i] + bias[i]);
}

} // namespace edge_rt::kernels::scalar
