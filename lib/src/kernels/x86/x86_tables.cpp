// The x86-64 kernel tables: SIMD matrix kernels, the scalar reference for the rest (a small
// share of the time).
#include "kernels/scalar/scalar.hpp"
#include "kernels/variants.hpp"
#include "kernels/x86/x86_kernels.hpp"

namespace edge_rt::kernels {
namespace {

constexpr KernelTable with_matmul(const char* name, decltype(KernelTable::matmul_rows) rows,
                                  decltype(KernelTable::attention) attention = scalar::attention)
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
        .attention = attention,
        .embedding_row = scalar::embedding_row,
    };
}

} // namespace

const KernelTable& avx2_kernels()
{
    static constexpr KernelTable table = with_matmul("avx2", avx2::matmul_rows);
    return table;
}

const KernelTable& avx512_kernels()
{
    static constexpr KernelTable table = with_matmul("avx512", avx512::matmul_rows, avx512::attention);
    return table;
}

} // namespace edge_rt::kernels
