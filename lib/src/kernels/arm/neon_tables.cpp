// The aarch64 kernel tables: SIMD matrix kernels and attention, the scalar reference for the
// rest (a small share of the time).
#include "kernels/scalar/scalar.hpp"
#include "kernels/variants.hpp"
#include "kernels/arm/neon_kernels.hpp"

namespace edge_rt::kernels {

const KernelTable& neon_kernels()
{
    static constexpr KernelTable table = scalar::table_with("neon", true, neon::matmul_rows, neon::attention);
    return table;
}

const KernelTable& neon_dotprod_kernels()
{
    static constexpr KernelTable table =
        scalar::table_with("neon-dotprod", true, neon::matmul_rows_dotprod, neon::attention);
    return table;
}

} // namespace edge_rt::kernels
