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

void matmul_rows(const WeightView& w, const float* x, const std::byte*, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end)
{
    std::vector<float> row(w.cols);
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    for (std::size_t r = row_begin; r < row_end; ++r) {
        dequantize_row(w.dtype, w.data + r * stride, row);
        for (std::size_t t = 0; t < n; ++t)
            y[t * w.rows + r] = static_cast<float>(dot(row.data(), x + t * w.cols, w.cols));
    }
}

} // namespace edge_rt::kernels::scalar
