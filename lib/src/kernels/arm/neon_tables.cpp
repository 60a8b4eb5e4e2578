// The aarch64 kernel tables: SIMD matrix kernels, the scalar reference for the rest (a small
// share of the time).
#include "kernels/scalar/scalar.hpp"
#include "kernels/variants.hpp"
#include "kernels/arm/neon_kernels.hpp"

namespace edge_rt::kernels {
namespace {

constexpr KernelTable with_matmul(const char* name, decltype(KernelTable::matmul_rows) rows)
{
    return KernelTable{
        .name = name,
        .quantized_activations = true,
        .matmul_rows = rows,
        .rmsnorm = scalar::rmsnorm,
        .layernorm = scalar::layernorm,
        .rope = scalar::rope,
        .softmax = scalar::softmax,
        .silu_mul = scalar::silu_mul,
        .gelu = scalar::gelu,
        .add = scalar::add,
        .attention = scalar::attention,
        .embedding_row = scalar::embedding_row,
    };
}

} // namespace

const KernelTable& neon_kernels()
{
    static constexpr KernelTable table = with_matmul("neon", neon::matmul_rows);
    return table;
}

const KernelTable& neon_dotprod_kernels()
{
    static constexpr KernelTable table = with_matmul("neon-dotprod", neon::matmul_rows_dotprod);
    return table;
}

} // namespace edge_rt::kernels
