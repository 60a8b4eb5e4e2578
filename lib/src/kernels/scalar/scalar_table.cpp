#include "kernels/scalar/scalar.hpp"

namespace edge_rt::kernels {

const KernelTable& scalar_kernels()
{
    static constexpr KernelTable table = scalar::table_with("scalar", false, scalar::matmul_rows);
    return table;
}

} // namespace edge_rt::kernels
