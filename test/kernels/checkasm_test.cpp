// checkasm-style: every kernel variant this CPU runs against the scalar reference, on random
// inputs of awkward sizes (rows of 1, rows that leave partial tiles and thread shares, columns
// that are not a multiple of any vector width for the float types), with tolerances derived
// from each variant's arithmetic:
//  - float weights: float FMA chains instead of double sums, so |y - ref| <= cols * u * sum|w*x|
//    (u = 2^-24; the chain length is below cols, so the bound holds with room);
//  - Q8_0/Q4_0 weights: activations quantised to blocks with scale d = max|x|/127, each value
//    off by at most d/2, plus float accumulation of the per-block sums:
//    |y - ref| <= sum_blocks d/2 * sum|w| + (blocks + 8) * u * sum|w|*(|x| + d/2).
// Results must also be bit-identical for any thread count and between batched and one-token calls.
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

std::string type_name(DType t) { return dtype_name(static_cast<std::uint32_t>(t)); }

bool block_type(DType t) { return t == DType::Q8_0 || t == DType::Q4_0; }

// The error bound for output (t, r) of `k` (see the top of the file).
double tolerance(const kernels::KernelTable& k, const TestMatrix& m, const float* x, std::size_t r)
{
    const auto& w = m.view;
    const double* row = m.values.data() + r * w.cols;
    if (!(k.quantized_activations && block_type(w.dtype))) {
        double mag = 0.0;
        for (std::size_t c = 0; c < w.cols; ++c)
            mag += std::fabs(row[c] * x[c]);
        return static_cast<double>(w.cols + 8) * kUnit * mag + 1e-30;
    }
    const std::size_t nb = w.cols / 32;
    double quant = 0.0, mag = 0.0;
    for (std::size_t b = 0; b < nb; ++b) {
        double amax = 0.0, wsum = 0.0;
        for (std::size_t i = 0; i < 32; ++i) {
            amax = std::max(amax, std::fabs(static_cast<double>(x[b * 32 + i])));
            wsum += std::fabs(row[b * 32 + i]);
        }
        const double half_step = amax / 127.0 / 2.0 * (1.0 + 1e-6);
        quant += half_step * wsum;
        for (std::size_t i = 0; i < 32; ++i)
            mag += std::fabs(row[b * 32 + i]) * (std::fabs(x[b * 32 + i]) + half_step);
    }
    return quant + static_cast<double>(nb + 8) * kUnit * mag + 1e-30;
}

struct Shape {
    std::size_t rows, cols;
};

std::vector<Shape> shapes_for(DType t)
{
    if (block_type(t))
        return {{1, 32}, {3, 96}, {33, 64}, {100, 160}, {17, 352}};
    return {{1, 1}, {3, 7}, {33, 37}, {100, 129}, {17, 64}};
}

std::vector<const kernels::KernelTable*> simd_variants()
{
    auto all = kernels::available_kernels();
    all.erase(all.begin()); // scalar: the reference itself
    return all;
}

} // namespace

TEST(Checkasm, EveryVariantMatchesScalarWithinItsBound)
{
    const auto& scalar = kernels::scalar_kernels();
    for (const auto* k : simd_variants()) {
        std::mt19937 rng(2024);
        for (DType t : kAllWeightTypes) {
            for (const auto& s : shapes_for(t)) {
                for (std::size_t n : {1u, 3u, 7u}) {
                    const auto m = make_matrix(rng, t, s.rows, s.cols);
                    const auto x = random_floats(rng, n * s.cols, -3.0f, 3.0f);
                    std::vector<float> want(n * s.rows), got(n * s.rows, NAN);
                    kernels::matmul(scalar, m.view, x.data(), n, want.data());
                    kernels::matmul(*k, m.view, x.data(), n, got.data());
                    for (std::size_t tok = 0; tok < n; ++tok)
                        for (std::size_t r = 0; r < s.rows; ++r) {
                            const std::size_t i = tok * s.rows + r;
                            ASSERT_NEAR(got[i], want[i], tolerance(*k, m, x.data() + tok * s.cols, r))
                                << k->name << " " << type_name(t) << " " << s.rows << "x" << s.cols << " n=" << n
                                << " token " << tok << " row " << r;
                        }
                }
            }
        }
    }
}

// The bound for quantised activations is not vacuous: on a row with one large weight the
// error of quantising x shows up, and stays inside the bound.
TEST(Checkasm, QuantisedActivationErrorIsVisibleAndBounded)
{
    for (const auto* k : simd_variants()) {
        if (!k->quantized_activations)
            continue;
        std::mt19937 rng(5);
        const auto m = make_matrix(rng, DType::Q8_0, 16, 256);
        const auto x = random_floats(rng, 256, -1.0f, 1.0f);
        std::vector<float> want(16), got(16);
        kernels::matmul(kernels::scalar_kernels(), m.view, x.data(), 1, want.data());
        kernels::matmul(*k, m.view, x.data(), 1, got.data());
        double worst = 0.0;
        for (std::size_t r = 0; r < 16; ++r) {
            EXPECT_LE(std::fabs(got[r] - want[r]), tolerance(*k, m, x.data(), r)) << k->name;
            worst = std::max(worst, std::fabs(static_cast<double>(got[r]) - want[r]));
        }
        EXPECT_GT(worst, 1e-6) << k->name << ": 8-bit activations should not be exact on random data";
    }
}

TEST(Checkasm, ResultsIdenticalForAnyThreadCountAndBatching)
{
    std::mt19937 rng(77);
    for (const auto* k : kernels::available_kernels()) {
        for (DType t : kAllWeightTypes) {
            const std::size_t rows = 100, cols = 160, n = 7;
            const auto m = make_matrix(rng, t, rows, cols);
            const auto x = random_floats(rng, n * cols);
            std::vector<float> serial(n * rows);
            kernels::matmul(*k, m.view, x.data(), n, serial.data());
            for (unsigned threads : {2u, 3u}) {
                exec::ComputePool pool(threads);
                std::vector<std::byte> scratch;
                std::vector<float> par(n * rows, NAN);
                kernels::matmul(*k, m.view, x.data(), n, par.data(), scratch, pool.parallel());
                ASSERT_EQ(par, serial) << k->name << " " << type_name(t) << " threads " << threads;
            }
            for (std::size_t tok = 0; tok < n; ++tok) {
                std::vector<float> one(rows);
                kernels::matmul(*k, m.view, x.data() + tok * cols, 1, one.data());
                ASSERT_TRUE(std::equal(one.begin(), one.end(), serial.begin() + static_cast<std::ptrdiff_t>(tok * rows)))
                    << k->name << " " << type_name(t) << " token " << tok;
            }
        }
    }
}

TEST(Checkasm, PoolParallelRunsEveryTaskOnceAndRethrows)
{
    exec::ComputePool pool(3);
    std::vector<std::atomic<int>> hits(50);
    pool.parallel().for_each(hits.size(), [&](std::size_t i) { hits[i].fetch_add(1); });
    for (const auto& h : hits)
        EXPECT_EQ(h.load(), 1);
    EXPECT_THROW(pool.parallel().for_each(10, [](std::size_t i) {
        if (i == 7)
            throw std::runtime_error("task 7");
    }), std::runtime_error);
}

TEST(ActivationQuant, HandComputedBlock)
{
    // max |x| = 12.7, so d = 0.1 and q = round(x / 0.1).
    float x[32] = {};
    x[0] = 12.7f;
    x[1] = -6.34f; // -63.4 -> -63
    x[2] = 0.26f;  // 2.6 -> 3
    x[31] = -12.7f;
    alignas(4) std::byte out[kernels::kXqBlockBytes];
    kernels::quantize_activations(x, 32, 0, 1, out);
    const kernels::XqRow row = kernels::xq_row(out, 1, 0);
    EXPECT_FLOAT_EQ(row.d[0], 0.1f);
    const std::int8_t* q = row.q;
    EXPECT_EQ(q[0], 127);
    EXPECT_EQ(q[1], -63);
    EXPECT_EQ(q[2], 3);
    EXPECT_EQ(q[3], 0);
    EXPECT_EQ(q[31], -127);
    EXPECT_FLOAT_EQ(row.dsum[0], 0.1f * (127 - 63 + 3 - 127));
}

TEST(ActivationQuant, ZeroBlockHasZeroScale)
{
    float x[32] = {};
    alignas(4) std::byte out[kernels::kXqBlockBytes];
    kernels::quantize_activations(x, 32, 0, 1, out);
    const kernels::XqRow row = kernels::xq_row(out, 1, 0);
    EXPECT_EQ(row.d[0], 0.0f);
    EXPECT_EQ(row.dsum[0], 0.0f);
}
