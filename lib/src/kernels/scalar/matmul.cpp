// Matrix x vector and matrix x matrix for every weight type: each weight row is decoded to
// floats once (exactly, see dequantize.hpp), then dotted with every input in double.
#include "kernels/dequantize.hpp"
#include "kernels/scalar/scalar.hpp"

#include <vector>

namespace edge_rt::kernels::scalar {

double dot(const float* a, const float* b, std::size_t n)
{
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    return sum;
}

void matmul(const WeightView& w, const float* x, std::size_t n, float* y)
{
    std::vector<float> row(w.cols);
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    for (std::size_t r = 0; r < w.rows; ++r) {
        dequantize_row(w.dtype, w.data + r * stride, row);
        for (std::size_t t = 0; t < n; ++t)
            y[t * w.rows + r] = static_cast<float>(dot(row.data(), x + t * w.cols, w.cols));
    }
}

void matvec(const WeightView& w, const float* x, float* y)
{
    matmul(w, x, 1, y);
}

} // namespace edge_rt::kernels::scalar
