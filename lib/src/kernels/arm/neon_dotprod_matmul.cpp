// NEON matrix kernels with the Armv8.2 dot product (sdot: Cortex-A76 on the Pi 5). The integer
// block sums are exact, so results equal the widening path's. Compiled for dotprod by the pragma
// (before the kernel templates are included) and entered only after getauxval reported
// HWCAP_ASIMDDP (dispatch.cpp).
#include "core/block_formats.hpp"
#include "core/half.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/arm/neon_kernels.hpp"
#include "kernels/matmul.hpp"
#include "kernels/scalar/scalar.hpp"

// Every header with inline code comes before the pragma: compiled inside it, an inline library
// function could be kept by the linker in its dotprod form for the whole program.
#include <algorithm>
#include <arm_neon.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")
#include "kernels/arm/neon_matmul_impl.hpp"

namespace edge_rt::kernels::neon {
namespace {

struct DotProd {
    static int32x4_t dot(int8x16x2_t w, int8x16x2_t x)
    {
        return vdotq_s32(vdotq_s32(vdupq_n_s32(0), w.val[0], x.val[0]), w.val[1], x.val[1]);
    }
    static int32x4_t dot16(int8x16_t w, int8x16_t x) { return vdotq_s32(vdupq_n_s32(0), w, x); }
};

} // namespace

void matmul_rows_dotprod(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                         std::size_t row_begin, std::size_t row_end)
{
    matmul_rows_with<DotProd>(w, x, xq, n, y, row_begin, row_end);
}

} // namespace edge_rt::kernels::neon
#pragma GCC pop_options
