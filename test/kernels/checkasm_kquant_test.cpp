// checkasm for the block types beyond Q8_0/Q4_0 (K-quants, Q4_1, Q5_0/Q5_1, IQ4): every SIMD
// variant with quantised activations against scalar::matmul_rows_quantized, which sees the
// same activation bytes (every table's quantize_k / quantize gives the same bytes). So the
// activation rounding cancels and the bound is only the float accumulation:
//  - each block's (or 16-lane) integer sum is exact in int32 and converts to float exactly;
//  - it is scaled by d_w * d_x (one rounding) and accumulated in a chain of at most nb
//    float FMAs per lane, then lanes are summed in a tree of depth <= 4, then one subtraction
//    of the min part: at most (nb + 6) roundings, each relative to a partial sum bounded by
//    M = sum_i (|d*scale*q_i| + |dmin*min|) * |d_x * q_x,i| (magnitudes, so cancelling scale
//    and min terms still count);
//  - the reference sums in double and rounds once to float: u * |ref|.
// Bound: |simd - ref| <= (nb + 8) * u * M + u * |ref|, u = 2^-24, nb = blocks per row.
// Results must also be bit-identical for any thread count and between batched and one-token calls.
#include "block_packer.hpp"
#include "exec/executor.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/matmul.hpp"
#include "reference_util.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <string>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr double kUnit = 0x1p-24;

constexpr DType kNewBlockTypes[] = {DType::Q4_K, DType::Q6_K, DType::Q5_K, DType::Q3_K, DType::Q2_K,
                                    DType::IQ4_XS, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::IQ4_NL};

std::string name_of(DType t) { return dtype_name(static_cast<std::uint32_t>(t)); }

struct Matrix {
    std::vector<std::byte> bytes;
    std::vector<double> parts; // |d*scale*q| + |dmin*min| per element (upper bound via |v| + 2|min term|)
    kernels::WeightView view;
};

Matrix random_matrix(DType t, std::mt19937& rng, std::size_t rows, std::size_t cols)
{
    Matrix m;
    const std::size_t be = block_elems(t), sub = be / sub_blocks(t);
    for (std::size_t k = 0; k < rows * cols / be; ++k) {
        const auto b = random_block(t, rng, 0.01f);
        const auto p = pack_block(t, b);
        const auto v = block_values(t, b);
        m.bytes.insert(m.bytes.end(), p.begin(), p.end());
        for (std::size_t i = 0; i < be; ++i)
            m.parts.push_back(std::fabs(v[i]) + 2 * std::fabs(double{b.dmin} * b.min[i / sub]));
    }
    m.view = kernels::WeightView{m.bytes.data(), t, cols, rows};
    return m;
}

// |d_x * q_x,i| of input `tok`: the activation values the kernels actually multiply.
std::vector<double> quantised_magnitudes(DType t, const std::vector<float>& x, std::size_t cols, std::size_t n,
                                         std::size_t tok)
{
    std::vector<double> out(cols);
    if (kernels::activation_form(t) == kernels::ActivationForm::Q8x256) {
        std::vector<std::byte> buf(kernels::quantized_k_bytes(cols, n));
        kernels::quantize_activations_k(x.data(), cols, 0, n, buf.data());
        const auto row = kernels::xk_row(buf.data(), cols / 256, tok);
        for (std::size_t i = 0; i < cols; ++i)
            out[i] = std::fabs(double{row.d[i / 256]} * row.q[i]);
    } else {
        std::vector<std::byte> buf(kernels::quantized_bytes(cols, n));
        kernels::quantize_activations(x.data(), cols, 0, n, buf.data());
        const auto row = kernels::xq_row(buf.data(), cols / 32, tok);
        for (std::size_t i = 0; i < cols; ++i)
            out[i] = std::fabs(double{row.d[i / 32]} * row.q[i]);
    }
    return out;
}

double accumulation_bound(const Matrix& m, const std::vector<double>& xmag, std::size_t r, double ref)
{
    const std::size_t cols = m.view.cols;
    double mag = 0.0;
    for (std::size_t c = 0; c < cols; ++c)
        mag += m.parts[r * cols + c] * xmag[c];
    const std::size_t nb = cols / block_elems(m.view.dtype);
    return static_cast<double>(nb + 8) * kUnit * mag + kUnit * std::fabs(ref) + 1e-30;
}

std::vector<const kernels::KernelTable*> quantised_simd_variants()
{
    std::vector<const kernels::KernelTable*> out;
    for (const auto* k : kernels::available_kernels())
        if (k->quantized_activations)
            out.push_back(k);
    return out;
}

struct Shape {
    std::size_t rows, cols;
};

// 1 row; rows that leave partial tiles and row grains; one and many super-blocks per row.
std::vector<Shape> shapes_for(DType t)
{
    if (block_elems(t) == 256)
        return {{1, 256}, {5, 256}, {17, 512}, {33, 2048}, {3, 2304}};
    return {{1, 32}, {5, 96}, {17, 288}, {33, 2048}};
}

} // namespace

TEST(CheckasmKQuant, EveryVariantMatchesScalarQuantisedWithinAccumulationBound)
{
    const auto& reference = kernels::scalar_quantized_kernels();
    const auto variants = quantised_simd_variants();
    if (variants.empty())
        GTEST_SKIP() << "no SIMD variant with quantised activations on this CPU";
    for (const auto* k : variants) {
        std::mt19937 rng(4242);
        for (DType t : kNewBlockTypes) {
            for (const auto& s : shapes_for(t)) {
                for (std::size_t n : {1u, 3u, 5u, 8u}) {
                    const auto m = random_matrix(t, rng, s.rows, s.cols);
                    const auto x = random_floats(rng, n * s.cols, -3.0f, 3.0f);
                    std::vector<float> want(n * s.rows), got(n * s.rows, NAN);
                    kernels::matmul(reference, m.view, x.data(), n, want.data());
                    kernels::matmul(*k, m.view, x.data(), n, got.data());
                    for (std::size_t tok = 0; tok < n; ++tok) {
                        const auto xmag = quantised_magnitudes(t, x, s.cols, n, tok);
                        for (std::size_t r = 0; r < s.rows; ++r) {
                            const std::size_t i = tok * s.rows + r;
                            ASSERT_NEAR(got[i], want[i], accumulation_bound(m, xmag, r, want[i]))
                                << k->name << " " << name_of(t) << " " << s.rows << "x" << s.cols << " n=" << n
                                << " token " << tok << " row " << r;
                        }
                    }
                }
            }
        }
    }
}

// The bound is tight enough to catch a wrong code: one weight code moved by one step changes
// the reference by more than the bound on most rows (checked for the types with own SIMD code).
TEST(CheckasmKQuant, BoundDetectsOneCodeStep)
{
    // A byte of each row's first block that lies in the codes (Q4_K qs from byte 16, Q6_K ql
    // from byte 0, Q3_K qs from byte 32, Q2_K qs from byte 16, IQ4_XS qs from byte 8);
    // flipping its lowest bit moves one code by one step (IQ4_XS: one grid index).
    struct Case {
        DType t;
        std::size_t byte;
    };
    std::mt19937 rng(9);
    for (const Case c : {Case{DType::Q4_K, 100}, Case{DType::Q6_K, 100}, Case{DType::Q3_K, 40}, Case{DType::Q2_K, 20},
                         Case{DType::IQ4_XS, 20}}) {
        const std::size_t rows = 8, cols = 2048;
        auto m = random_matrix(c.t, rng, rows, cols);
        const auto x = random_floats(rng, cols, -3.0f, 3.0f);
        std::vector<float> before(rows), after(rows);
        kernels::matmul(kernels::scalar_quantized_kernels(), m.view, x.data(), 1, before.data());
        const std::size_t stride = m.bytes.size() / rows;
        for (std::size_t r = 0; r < rows; ++r)
            m.bytes[r * stride + c.byte] ^= std::byte{1};
        kernels::matmul(kernels::scalar_quantized_kernels(), m.view, x.data(), 1, after.data());
        const auto xmag = quantised_magnitudes(c.t, x, cols, 1, 0);
        int detected = 0;
        for (std::size_t r = 0; r < rows; ++r)
            detected += std::fabs(double{after[r]} - before[r]) > accumulation_bound(m, xmag, r, before[r]);
        EXPECT_GE(detected, 6) << name_of(c.t);
    }
}

TEST(CheckasmKQuant, ResultsIdenticalForAnyThreadCountAndBatching)
{
    std::mt19937 rng(78);
    for (const auto* k : quantised_simd_variants()) {
        for (DType t : kNewBlockTypes) {
            const std::size_t rows = 37, cols = block_elems(t) == 256 ? 768 : 160, n = 7;
            const auto m = random_matrix(t, rng, rows, cols);
            const auto x = random_floats(rng, n * cols);
            std::vector<float> serial(n * rows);
            kernels::matmul(*k, m.view, x.data(), n, serial.data());
            for (unsigned threads : {2u, 3u}) {
                exec::ComputePool pool(threads);
                std::vector<std::byte> scratch;
                std::vector<float> par(n * rows, NAN);
                kernels::matmul(*k, m.view, x.data(), n, par.data(), scratch, pool.parallel());
                ASSERT_EQ(par, serial) << k->name << " " << name_of(t) << " threads " << threads;
            }
            for (std::size_t tok = 0; tok < n; ++tok) {
                std::vector<float> one(rows);
                kernels::matmul(*k, m.view, x.data() + tok * cols, 1, one.data());
                ASSERT_TRUE(std::equal(one.begin(), one.end(), serial.begin() + static_cast<std::ptrdiff_t>(tok * rows)))
                    << k->name << " " << name_of(t) << " token " << tok;
            }
        }
    }
}
