#include "kernels/scalar/scalar.hpp"

namespace edge_rt::kernels {

const KernelTable& scalar_kernels()
{
    static constexpr KernelTable table{
        .name = "scalar",
        .quantized_activations = false,
        .matmul_rows = scalar::matmul_rows,
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
    return table;
}

} // namespace edge_rt::kernels
