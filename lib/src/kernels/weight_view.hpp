// A borrowed view of one weight tensor in memory: the bytes stay owned by whoever loaded them.
#pragma once

#include "core/dtype.hpp"

#include <cstddef>
#include <cstdint>

namespace edge_rt::kernels {

/// A row-major matrix of `rows` rows of `cols` values of GGML type `dtype` (a vector is one
/// row). Rows are contiguous; block-quantised rows hold cols/32 blocks.
struct WeightView {
    const std::byte* data = nullptr;
    DType dtype = DType::F32;
    std::size_t cols = 0; // values per row (the input size of a matrix-vector product)
    std::size_t rows = 0; // number of rows (the output size)

    std::size_t elements() const { return cols * rows; }
};

/// Bytes of one row of `cols` values of `dtype`; throws std::invalid_argument when `cols` is
/// not a whole number of blocks or the type has no kernels.
std::size_t row_bytes(DType dtype, std::size_t cols);

/// Start of row `r` of `w`.
inline const std::byte* row_data(const WeightView& w, std::size_t r)
{
    return w.data + r * row_bytes(w.dtype, w.cols);
}

} // namespace edge_rt::kernels
