// The scalar reference of every quantised-activation product: each weight block is split into
// integer codes and integer sub-block scales/mins (x_i = d*scale_s*q_i - dmin*min_s), so each
// sub-block's sum of code x activation-q products is an exact integer; blocks combine in
// double. SIMD kernels must agree with this up to their float accumulation.
#include "core/block_formats.hpp"
#include "core/half.hpp"
#include "kernels/scalar/scalar.hpp"

#include <stdexcept>
#include <vector>

namespace edge_rt::kernels::scalar {
namespace {

using namespace edge_rt::blocks;

// One weight block as integers: x_i = d*scale[i/sub]*q[i] - dmin*min[i/sub].
struct IntBlock {
    std::int8_t q[256];
    int scale[16];
    int min[16]; // all 0 for symmetric formats
    float d, dmin;
    std::size_t elems, sub;
};

float f16_at(const std::byte* p) { return f16_to_f32(u16(p)); }

void one_scale(IntBlock& b, float d, float m_term)
{
    // 32-value formats: one sub-block with scale 1; x = d*q + m is d*1*q - (-m)*1.
    b.elems = b.sub = 32;
    b.d = d;
    b.scale[0] = 1;
    b.min[0] = m_term != 0.0f ? 1 : 0;
    b.dmin = -m_term;
}

int q5(const std::byte* qh, const std::byte* qs, std::size_t i)
{
    return static_cast<int>(nibble(qs, i) | (((u32(qh) >> i) & 1u) << 4));
}

// The 32-value formats; false for a 256-value one.
bool decode_small(DType t, const std::byte* w, IntBlock& b)
{
    switch (t) {
    case DType::Q8_0:
        one_scale(b, f16_at(w), 0.0f);
        for (std::size_t i = 0; i < 32; ++i)
            b.q[i] = static_cast<std::int8_t>(u8(w + 2 + i));
        return true;
    case DType::Q4_0:
        one_scale(b, f16_at(w), 0.0f);
        for (std::size_t i = 0; i < 32; ++i)
            b.q[i] = static_cast<std::int8_t>(static_cast<int>(nibble(w + 2, i)) - 8);
        return true;
    case DType::Q4_1:
        one_scale(b, f16_at(w), f16_at(w + 2));
        for (std::size_t i = 0; i < 32; ++i)
            b.q[i] = static_cast<std::int8_t>(nibble(w + 4, i));
        return true;
    case DType::Q5_0:
        one_scale(b, f16_at(w), 0.0f);
        for (std::size_t i = 0; i < 32; ++i)
            b.q[i] = static_cast<std::int8_t>(q5(w + 2, w + 6, i) - 16);
        return true;
    case DType::Q5_1:
        one_scale(b, f16_at(w), f16_at(w + 2));
        for (std::size_t i = 0; i < 32; ++i)
            b.q[i] = static_cast<std::int8_t>(q5(w + 4, w + 8, i));
        return true;
    case DType::IQ4_NL:
        one_scale(b, f16_at(w), 0.0f);
        for (std::size_t i = 0; i < 32; ++i)
            b.q[i] = kIq4Grid[nibble(w + 2, i)];
        return true;
    default:
        return false;
    }
}

// The 256-value super-block formats.
void decode_super(DType t, const std::byte* w, IntBlock& b)
{
    b.elems = kSuperBlock;
    b.dmin = 0.0f;
    for (int& m : b.min)
        m = 0;
    switch (t) {
    case DType::Q2_K:
        b.sub = 16;
        b.d = f16_at(w + 80);
        b.dmin = f16_at(w + 82);
        for (std::size_t s = 0; s < 16; ++s) {
            b.scale[s] = static_cast<int>(u8(w + s) & 15u);
            b.min[s] = static_cast<int>(u8(w + s) >> 4);
        }
        for (std::size_t i = 0; i < 256; ++i)
            b.q[i] = static_cast<std::int8_t>(q2k_code(w, i));
        return;
    case DType::Q3_K:
        b.sub = 16;
        b.d = f16_at(w + 108);
        for (std::size_t s = 0; s < 16; ++s)
            b.scale[s] = q3k_scale(w + 96, s) - 32;
        for (std::size_t i = 0; i < 256; ++i)
            b.q[i] = static_cast<std::int8_t>(q3k_code(w, i));
        return;
    case DType::Q4_K:
    case DType::Q5_K: {
        b.sub = 32;
        b.d = f16_at(w);
        b.dmin = f16_at(w + 2);
        for (std::size_t s = 0; s < 8; ++s) {
            unsigned sc = 0, m = 0;
            k4_scale_min(w + 4, s, sc, m);
            b.scale[s] = static_cast<int>(sc);
            b.min[s] = static_cast<int>(m);
        }
        for (std::size_t i = 0; i < 256; ++i)
            b.q[i] = static_cast<std::int8_t>(t == DType::Q4_K ? q4k_code(w, i) : q5k_code(w, i));
        return;
    }
    case DType::Q6_K:
        b.sub = 16;
        b.d = f16_at(w + 208);
        for (std::size_t s = 0; s < 16; ++s)
            b.scale[s] = q6k_scale(w, s);
        for (std::size_t i = 0; i < 256; ++i)
            b.q[i] = static_cast<std::int8_t>(q6k_code(w, i));
        return;
    case DType::IQ4_XS:
        b.sub = 32;
        b.d = f16_at(w);
        for (std::size_t s = 0; s < 8; ++s)
            b.scale[s] = iq4xs_scale(w, s) - 32;
        for (std::size_t i = 0; i < 256; ++i)
            b.q[i] = kIq4Grid[iq4xs_index(w, i)];
        return;
    default:
        throw std::invalid_argument("quantised dot: no integer form for tensor type " +
                                    dtype_name(static_cast<std::uint32_t>(t)));
    }
}

void decode_int(DType t, const std::byte* w, IntBlock& b)
{
    if (!decode_small(t, w, b))
        decode_super(t, w, b);
}

// sum over sub-blocks of scale * (codes . activation q): exact in 64-bit integers.
std::int64_t scaled_int_dot(const IntBlock& b, const std::int8_t* xq)
{
    std::int64_t total = 0;
    for (std::size_t s = 0; s < b.elems / b.sub; ++s) {
        std::int64_t sum = 0;
        for (std::size_t i = s * b.sub; i < (s + 1) * b.sub; ++i)
            sum += std::int64_t{b.q[i]} * xq[i];
        total += sum * b.scale[s];
    }
    return total;
}

// One decoded weight row dotted with input `t` of `xq` (the form `form` names).
double dot_decoded(const std::vector<IntBlock>& row, ActivationForm form, const std::byte* xq, std::size_t t)
{
    const std::size_t nb = row.size();
    double y = 0.0;
    if (form == ActivationForm::Q8x32) {
        const XqRow x = xq_row(xq, nb, t);
        for (std::size_t k = 0; k < nb; ++k) {
            const IntBlock& b = row[k];
            const double isum = static_cast<double>(scaled_int_dot(b, x.q + 32 * k));
            // min share: dmin*min * sum(x) ~= dmin*min * d*sum(q) (the block's dsum).
            y += double{b.d} * x.d[k] * isum - double{b.dmin} * b.min[0] * x.dsum[k];
        }
        return y;
    }
    const XkRow x = xk_row(xq, nb, t);
    for (std::size_t k = 0; k < nb; ++k) {
        const IntBlock& b = row[k];
        const double isum = static_cast<double>(scaled_int_dot(b, x.q + 256 * k));
        std::int64_t msum = 0; // sum over sub-blocks of min * (sum of its activation q)
        for (std::size_t s = 0; s < 256 / b.sub; ++s) {
            std::int64_t qsum = 0;
            for (std::size_t h = s * b.sub / 16; h < (s + 1) * b.sub / 16; ++h)
                qsum += x.bsum[16 * k + h];
            msum += qsum * b.min[s];
        }
        y += double{x.d[k]} * (double{b.d} * isum - double{b.dmin} * static_cast<double>(msum));
    }
    return y;
}

ActivationForm checked_form(DType dtype)
{
    const ActivationForm form = activation_form(dtype);
    if (form == ActivationForm::Float)
        throw std::invalid_argument("quantised dot: " + dtype_name(static_cast<std::uint32_t>(dtype)) +
                                    " is not multiplied with quantised activations");
    return form;
}

void decode_row(DType dtype, const std::byte* wrow, std::size_t cols, std::vector<IntBlock>& out)
{
    const auto info = dtype_info(static_cast<std::uint32_t>(dtype));
    out.resize(cols / info->block_elems);
    for (std::size_t k = 0; k < out.size(); ++k)
        decode_int(dtype, wrow + k * info->block_bytes, out[k]);
}

} // namespace

double quantized_dot(DType dtype, const std::byte* wrow, std::size_t cols, const std::byte* xq, std::size_t t)
{
    const ActivationForm form = checked_form(dtype);
    std::vector<IntBlock> row;
    decode_row(dtype, wrow, cols, row);
    return dot_decoded(row, form, xq, t);
}

void matmul_rows_quantized(const WeightView& w, const float* x, const std::byte* xq, std::size_t n, float* y,
                           std::size_t row_begin, std::size_t row_end)
{
    if (xq == nullptr || activation_form(w.dtype) == ActivationForm::Float)
        return matmul_rows(w, x, xq, n, y, row_begin, row_end);
    const ActivationForm form = checked_form(w.dtype);
    const std::size_t stride = row_bytes(w.dtype, w.cols);
    std::vector<IntBlock> row; // each row decoded once for all inputs
    for (std::size_t r = row_begin; r < row_end; ++r) {
        decode_row(w.dtype, w.data + r * stride, w.cols, row);
        for (std::size_t t = 0; t < n; ++t)
            y[t * w.rows + r] = static_cast<float>(dot_decoded(row, form, xq, t));
    }
}

} // namespace edge_rt::kernels::scalar
