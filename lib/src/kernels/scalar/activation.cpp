// Element-wise kernels: softmax, SwiGLU's silu(gate)*up, GPT-2's tanh-approximated GELU, add.
#include "kernels/scalar/scalar.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace edge_rt::kernels::scalar {

void softmax(float* x, std::size_t n)
{
    if (n == 0)
        return;
    const float max = *std::max_element(x, x + n); // subtracting it keeps exp() finite
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<float>(std::exp(static_cast<double>(x[i]) - max));
        sum += x[i];
    }
    for (std::size_t i = 0; i < n; ++i)
        x[i] = static_cast<float>(x[i] / sum);
}

void silu_mul(float* gate, const float* up, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        const double g = gate[i];
        gate[i] = static_cast<float>(g / (1.0 + std::exp(-g)) * up[i]);
    }
}

void gelu(float* x, std::size_t n)
{
    const double k = std::sqrt(2.0 / std::numbers::pi);
    for (std::size_t i = 0; i < n; ++i) {
        const double v = x[i];
        x[i] = static_cast<float>(0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v))));
    }
}

void add(float* y, const float* x, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        y[i] += x[i];
}

} // namespace edge_rt::kernels::scalar
