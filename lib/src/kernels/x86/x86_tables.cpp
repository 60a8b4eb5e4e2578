// The x86-64 kernel tables: SIMD matrix kernels, the scalar reference for the rest (a small
// share of the time).
#include "kernels/scalar/scalar.hpp"
#include "kernels/variants.hpp"
#include "kernels/x86/x86_kernels.hpp"

namespace edge_rt::kernels {

const KernelTable& avx2_kernels()
{
    static constexpr KernelTable table = scalar::table_with("avx2", true, avx2::matmul_rows);
    return table;
}

const KernelTable& avx512_kernels()
{
    static constexpr KernelTable table = scalar::table_with("avx512", true, avx512::matmul_rows, avx512::attention);
    return table;
}

} // namespace edge_rt::kernels
