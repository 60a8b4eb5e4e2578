// The x86-64 kernel tables: SIMD matrix kernels (and for AVX-512 the per-token element-wise
// work of prefill), the scalar reference for the rest (a small share of the time).
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
    static constexpr KernelTable table = [] {
        KernelTable t = scalar::table_with("avx512", true, avx512::matmul_rows, avx512::attention);
        t.quantize = avx512::quantize_activations;
        t.softmax = avx512::softmax;
        t.silu_mul = avx512::silu_mul;
        return t;
    }();
    return table;
}

} // namespace edge_rt::kernels
