// NEON matrix kernels for every Armv8 CPU (Cortex-A72 on the Pi 4): the 8-bit block products
// use widening multiplies with pairwise accumulation (vmull / vpadal).
#include "kernels/arm/neon_kernels.hpp"
#include "kernels/arm/neon_matmul_impl.hpp"

namespace edge_rt::kernels::neon {
namespace {

// sum w_i*x_i over a block as 4 int32 lanes (pairs of int8 products fit in int16:
// 2 * 127 * 128 < 2^15).
struct Widening {
    static int32x4_t dot(int8x16x2_t w, int8x16x2_t x)
    {
        int32x4_t s = vpaddlq_s16(vmull_s8(vget_low_s8(w.val[0]), vget_low_s8(x.val[0])));
        s = vpadalq_s16(s, vmull_high_s8(w.val[0], x.val[0]));
        s = vpadalq_s16(s, vmull_s8(vget_low_s8(w.val[1]), vget_low_s8(x.val[1])));
        return vpadalq_s16(s, vmull_high_s8(w.val[1], x.val[1]));
    }
    static int32x4_t dot16(int8x16_t w, int8x16_t x)
    {
        return vpadalq_s16(vpaddlq_s16(vmull_s8(vget_low_s8(w), vget_low_s8(x))), vmull_high_s8(w, x));
    }
};

} // namespace

void matmul_rows(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                 std::size_t row_begin, std::size_t row_end)
{
    matmul_rows_with<Widening>(w, x, xq, n, y, row_begin, row_end);
}

} // namespace edge_rt::kernels::neon
