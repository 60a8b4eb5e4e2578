// Embedding lookup: one row of a token (or position) table, decoded to floats.
#include "kernels/dequantize.hpp"
#include "kernels/scalar/scalar.hpp"

#include <stdexcept>
#include <string>

namespace edge_rt::kernels::scalar {

void embedding_row(const WeightView& table, std::size_t row, float* out)
{
    if (row >= table.rows)
        throw std::out_of_range("embedding row " + std::to_string(row) + " of a table with " +
                                std::to_string(table.rows) + " rows");
    dequantize_row(table.dtype, row_data(table, row), std::span<float>(out, table.cols));
}

} // namespace edge_rt::kernels::scalar
