#include "kernels/scalar/scalar.hpp"

namespace edge_rt::kernels {

const KernelTable& scalar_kernels()
{
    static constexpr KernelTable table = scalar::table_with("scalar", false, scalar::matmul_rows);
    return table;
}

const KernelTable& scalar_quantized_kernels()
{
    static constexpr KernelTable table = scalar::table_with("scalar-q8", true, scalar::matmul_rows_quantized);
    return table;
}

} // namespace edge_rt::kernels
