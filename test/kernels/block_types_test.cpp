// The block formats beyond Q8_0/Q4_0 (Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K..Q6_K, IQ4_XS):
// decoding checked against blocks built by hand from the format definition, and the
// quantised-activation products (scalar reference and every variant's table) against the
// exact double product with an error bound derived from the activation quantisation.
#include "block_packer.hpp"
#include "core/half.hpp"
#include "core/kquant_encode.hpp"
#include "kernels/activation_quant.hpp"
#include "kernels/dequantize.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/matmul.hpp"
#include "reference_util.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr double kUnit = 0x1p-24;

constexpr DType kBlockTypes[] = {DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::IQ4_NL, DType::Q2_K,
                                 DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K,   DType::IQ4_XS};

std::string name_of(DType t) { return dtype_name(static_cast<std::uint32_t>(t)); }

std::vector<float> decode(DType t, const std::vector<std::byte>& bytes, std::size_t n)
{
    std::vector<float> out(n);
    kernels::dequantize_row(t, bytes.data(), out);
    return out;
}

// A spec with every code/scale/min set by `f(i)` style rules, for the hand-computed tests.
BlockSpec spec(DType t, float d, float dmin)
{
    BlockSpec b;
    b.d = d;
    b.dmin = dmin;
    b.scale.assign(sub_blocks(t), 1);
    b.min.assign(sub_blocks(t), 0);
    b.q.assign(block_elems(t), 0);
    return b;
}

} // namespace

// Each format with a few elements worked out by hand from its definition; every other element
// must equal the packer's exact value too.
TEST(BlockFormats, HandBuiltBlocksDecodeToHandComputedValues)
{
    { // Q4_1: x = d*q + m; d = 0.5, m = -1 (dmin 1, min 1); q[3] = 7 -> 2.5, q[20] = 15 -> 6.5
        auto b = spec(DType::Q4_1, 0.5f, 1.0f);
        b.min[0] = 1;
        b.q[3] = 7;
        b.q[20] = 15;
        const auto y = decode(DType::Q4_1, pack_block(DType::Q4_1, b), 32);
        EXPECT_EQ(y[3], 2.5f);
        EXPECT_EQ(y[20], 6.5f);
        EXPECT_EQ(y[0], -1.0f);
    }
    { // Q5_0: x = d*(code - 16); element 17 code 31 (5th bit set) -> 0.25*15; element 2 code 0 -> -4
        auto b = spec(DType::Q5_0, 0.25f, 0.0f);
        b.q[17] = 15;
        b.q[2] = -16;
        const auto y = decode(DType::Q5_0, pack_block(DType::Q5_0, b), 32);
        EXPECT_EQ(y[17], 3.75f);
        EXPECT_EQ(y[2], -4.0f);
        EXPECT_EQ(y[0], 0.0f);
    }
    { // Q5_1: x = d*q + m; d = 2, m = 0.5; q[31] = 31 -> 62.5, q[16] = 16 -> 32.5
        auto b = spec(DType::Q5_1, 2.0f, -0.5f);
        b.min[0] = 1;
        b.q[31] = 31;
        b.q[16] = 16;
        const auto y = decode(DType::Q5_1, pack_block(DType::Q5_1, b), 32);
        EXPECT_EQ(y[31], 62.5f);
        EXPECT_EQ(y[16], 32.5f);
        EXPECT_EQ(y[1], 0.5f);
    }
    { // IQ4_NL: x = d*grid[q]; d = 0.5: q 0 -> -63.5, q 15 -> 56.5, q 8 -> 0.5
        auto b = spec(DType::IQ4_NL, 0.5f, 0.0f);
        b.q[0] = 0;
        b.q[30] = 15;
        for (std::size_t i = 1; i < 30; ++i)
            b.q[i] = 8;
        const auto y = decode(DType::IQ4_NL, pack_block(DType::IQ4_NL, b), 32);
        EXPECT_EQ(y[0], -63.5f);
        EXPECT_EQ(y[30], 56.5f);
        EXPECT_EQ(y[5], 0.5f);
    }
    { // Q2_K: x = d*sc*q - dmin*m per 16; sub-block 9 (elements 144..159): sc 13, m 5;
      // d = 0.5, dmin = 0.25: q 3 -> 19.5 - 1.25 = 18.25; q 0 -> -1.25
        auto b = spec(DType::Q2_K, 0.5f, 0.25f);
        b.scale[9] = 13;
        b.min[9] = 5;
        b.q[150] = 3;
        const auto y = decode(DType::Q2_K, pack_block(DType::Q2_K, b), 256);
        EXPECT_EQ(y[150], 18.25f);
        EXPECT_EQ(y[151], -1.25f);
    }
    { // Q3_K: x = d*(s-32)*code; sub-block 13 (208..223) s = 63 -> 31; sub-block 2 s = 0 -> -32;
      // d = 0.125: code 3 -> 11.625; code -4 -> 16 (both signs of the hmask bit)
        auto b = spec(DType::Q3_K, 0.125f, 0.0f);
        for (auto& s : b.scale)
            s = 32;
        b.scale[13] = 63;
        b.scale[2] = 0;
        b.q[210] = 3;
        b.q[40] = -4;
        const auto y = decode(DType::Q3_K, pack_block(DType::Q3_K, b), 256);
        EXPECT_EQ(y[210], 11.625f);
        EXPECT_EQ(y[40], 16.0f);
        EXPECT_EQ(y[0], 0.0f);
    }
    { // Q4_K: x = d*sc*q - dmin*m per 32; sub-block 5 (160..191) sc 37, m 20 (6-bit fields
      // split across bytes); d = 0.5, dmin = 0.25: q 9 -> 166.5 - 5 = 161.5
        auto b = spec(DType::Q4_K, 0.5f, 0.25f);
        b.scale[5] = 37;
        b.min[5] = 20;
        b.scale[1] = 63;
        b.min[1] = 63;
        b.q[163] = 9;
        b.q[40] = 15;
        const auto y = decode(DType::Q4_K, pack_block(DType::Q4_K, b), 256);
        EXPECT_EQ(y[163], 161.5f);
        EXPECT_EQ(y[40], 0.5f * 63 * 15 - 0.25f * 63); // 472.5 - 15.75 = 456.75
        EXPECT_EQ(y[40], 456.75f);
    }
    { // Q5_K: as Q4_K with a 5th bit; sub-block 7 (224..255) sc 60, m 33; q 31 -> 930 - 8.25
        auto b = spec(DType::Q5_K, 0.5f, 0.25f);
        b.scale[7] = 60;
        b.min[7] = 33;
        b.q[255] = 31;
        b.q[224] = 16;
        const auto y = decode(DType::Q5_K, pack_block(DType::Q5_K, b), 256);
        EXPECT_EQ(y[255], 921.75f);
        EXPECT_EQ(y[224], 480.0f - 8.25f);
    }
    { // Q6_K: x = d*sc*code per 16, code = 6-bit - 32, int8 scales; sub-block 11 (176..191)
      // sc -7, d = 0.25: code -32 -> 56; code 31 -> -54.25
        auto b = spec(DType::Q6_K, 0.25f, 0.0f);
        b.scale[11] = -7;
        b.q[180] = -32;
        b.q[191] = 31;
        const auto y = decode(DType::Q6_K, pack_block(DType::Q6_K, b), 256);
        EXPECT_EQ(y[180], 56.0f);
        EXPECT_EQ(y[191], -54.25f);
    }
    { // IQ4_XS: x = d*(s-32)*grid[q] per 32; sub-block 6 (192..223) s = 50 -> 18, d = 0.5:
      // grid[15] = 113 -> 1017; sub-block 3 s = 1 -> -31: grid[0] = -127 -> 1968.5
        auto b = spec(DType::IQ4_XS, 0.5f, 0.0f);
        for (auto& s : b.scale)
            s = 32;
        b.scale[6] = 50;
        b.scale[3] = 1;
        for (auto& q : b.q)
            q = 8;
        b.q[200] = 15;
        b.q[96] = 0;
        const auto y = decode(DType::IQ4_XS, pack_block(DType::IQ4_XS, b), 256);
        EXPECT_EQ(y[200], 1017.0f);
        EXPECT_EQ(y[96], 1968.5f);
        EXPECT_EQ(y[0], 0.0f);
    }
}

// Random blocks over the full code, scale and min ranges decode to their exact values up to
// the float rounding of d*scale, dmin*min and the final product/difference (<= 3 roundings).
TEST(BlockFormats, RandomBlocksDecodeToTheirDefinition)
{
    std::mt19937 rng(13);
    for (DType t : kBlockTypes) {
        for (int rep = 0; rep < 50; ++rep) {
            const auto b = random_block(t, rng, 0.01f);
            const auto want = block_values(t, b);
            const auto got = decode(t, pack_block(t, b), want.size());
            const std::size_t sub = want.size() / sub_blocks(t);
            for (std::size_t i = 0; i < want.size(); ++i) {
                const double parts = std::fabs(want[i]) + std::fabs(double{b.dmin} * b.min[i / sub]) * 2;
                ASSERT_NEAR(got[i], want[i], 3 * kUnit * parts) << name_of(t) << " element " << i;
            }
        }
    }
}

TEST(BlockFormats, EmbeddingRowsOfEveryBlockType)
{
    std::mt19937 rng(3);
    for (DType t : kBlockTypes) {
        const std::size_t per_row = 256 / block_elems(t) * 1; // 256 values a row
        std::vector<std::byte> bytes;
        std::vector<double> values;
        for (std::size_t k = 0; k < 3 * per_row; ++k) {
            const auto b = random_block(t, rng, 0.02f);
            const auto p = pack_block(t, b);
            const auto v = block_values(t, b);
            bytes.insert(bytes.end(), p.begin(), p.end());
            values.insert(values.end(), v.begin(), v.end());
        }
        const kernels::WeightView table{bytes.data(), t, 256, 3};
        std::vector<float> row(256);
        kernels::scalar_kernels().embedding_row(table, 2, row.data());
        for (std::size_t i = 0; i < 256; ++i)
            ASSERT_NEAR(row[i], values[512 + i], 1e-6 * (1 + std::fabs(values[512 + i]))) << name_of(t) << " " << i;
        EXPECT_THROW(kernels::scalar_kernels().embedding_row(table, 3, row.data()), std::out_of_range);
    }
}

TEST(ActivationQuantK, HandComputedBlock)
{
    // m = -12.7 (largest magnitude, negative): iscale = -127/m = 10, d = 0.1; q = round(10*x).
    float x[256] = {};
    x[0] = -12.7f;
    x[1] = 6.34f;  // 63.4 -> 63
    x[17] = -0.25f; // -2.5 -> -2 (half to even)
    x[255] = 12.7f; // 127
    alignas(4) std::byte out[kernels::kXkBlockBytes];
    kernels::quantize_activations_k(x, 256, 0, 1, out);
    const auto row = kernels::xk_row(out, 1, 0);
    EXPECT_NEAR(row.d[0], 0.1f, 1e-8);
    EXPECT_EQ(row.q[0], -127);
    EXPECT_EQ(row.q[1], 63);
    EXPECT_EQ(row.q[17], -2);
    EXPECT_EQ(row.q[255], 127);
    EXPECT_EQ(row.bsum[0], -127 + 63);
    EXPECT_EQ(row.bsum[1], -2);
    EXPECT_EQ(row.bsum[15], 127);
    for (int k = 2; k < 15; ++k)
        EXPECT_EQ(row.bsum[k], 0);
    // A positive extreme maps to -127 with a negative d, as ggml's Q8_K does.
    x[0] = 20.0f;
    kernels::quantize_activations_k(x, 256, 0, 1, out);
    EXPECT_EQ(row.q[0], -127);
    EXPECT_LT(row.d[0], 0.0f);
    EXPECT_NEAR(row.d[0] * row.q[1], 6.34f, std::fabs(row.d[0]) / 2);
}

TEST(ActivationQuantK, ZeroBlockHasZeroScale)
{
    float x[512] = {};
    x[300] = 1.0f;
    alignas(4) std::byte out[2 * kernels::kXkBlockBytes];
    kernels::quantize_activations_k(x, 512, 0, 1, out);
    const auto row = kernels::xk_row(out, 2, 0);
    EXPECT_EQ(row.d[0], 0.0f);
    EXPECT_EQ(row.bsum[0], 0);
    EXPECT_EQ(row.q[300], -127);
}

namespace {

struct Matrix {
    std::vector<std::byte> bytes;
    std::vector<double> values; // exact
    std::vector<double> parts;  // |d*sc*q| + |dmin*m| per element: what float roundings scale with
    kernels::WeightView view;
};

Matrix random_matrix(DType t, std::mt19937& rng, std::size_t rows, std::size_t cols)
{
    Matrix m;
    const std::size_t be = block_elems(t), sub = be / sub_blocks(t);
    for (std::size_t k = 0; k < rows * cols / be; ++k) {
        const auto b = random_block(t, rng, t == DType::Q6_K ? 0.001f : 0.01f);
        const auto p = pack_block(t, b);
        const auto v = block_values(t, b);
        m.bytes.insert(m.bytes.end(), p.begin(), p.end());
        for (std::size_t i = 0; i < be; ++i) {
            m.values.push_back(v[i]);
            const double mterm = std::fabs(double{b.dmin} * b.min[i / sub]);
            m.parts.push_back(std::fabs(v[i]) + 2 * mterm);
        }
    }
    m.view = kernels::WeightView{m.bytes.data(), t, cols, rows};
    return m;
}

// Bound on |y - sum_i w_i x_i| for a quantised-activation product of row r with input x:
// each x_i is replaced by d*q_i with |x_i - d*q_i| <= |d|/2 (|d| = max|x| over the
// activation block / 127, times 1 + 1e-4 for the float rounding of 1/d and d), which moves y
// by at most sum_i |w_i| |d_b(i)|/2. On top, float accumulation in a SIMD variant: one
// rounding per 16-value sub-block sum and per block, so (cols/16 + 8) * u * sum parts_i *
// (|x_i| + |d|/2) (parts_i: the magnitudes of w_i's scale and min terms, which roundings
// scale with even where they cancel).
double quantised_bound(const Matrix& m, const float* x, std::size_t r, std::size_t act_block)
{
    const std::size_t cols = m.view.cols;
    double quant = 0.0, mag = 0.0;
    for (std::size_t b = 0; b < cols / act_block; ++b) {
        double amax = 0.0;
        for (std::size_t i = 0; i < act_block; ++i)
            amax = std::max(amax, std::fabs(double{x[b * act_block + i]}));
        const double half = amax / 127.0 / 2.0 * (1.0 + 1e-4);
        for (std::size_t i = b * act_block; i < (b + 1) * act_block; ++i) {
            quant += std::fabs(m.values[r * cols + i]) * half;
            mag += m.parts[r * cols + i] * (std::fabs(double{x[i]}) + half);
        }
    }
    return quant + static_cast<double>(cols / 16 + 8) * kUnit * mag + 1e-30;
}

double exact_dot(const Matrix& m, const float* x, std::size_t r, double* mag)
{
    double y = 0.0;
    *mag = 0.0;
    for (std::size_t c = 0; c < m.view.cols; ++c) {
        y += m.values[r * m.view.cols + c] * x[c];
        *mag += m.parts[r * m.view.cols + c] * std::fabs(double{x[c]});
    }
    return y;
}

std::vector<const kernels::KernelTable*> quantised_tables()
{
    std::vector<const kernels::KernelTable*> out{&kernels::scalar_quantized_kernels()};
    for (const auto* k : kernels::available_kernels())
        if (k->quantized_activations)
            out.push_back(k);
    return out;
}

} // namespace

// The float reference (decoded weights, f32 activations, double sums) is within a few float
// roundings of the exact product: 3 per decoded weight (see above) and one at the end.
TEST(BlockProducts, ScalarFloatPathMatchesExactProduct)
{
    std::mt19937 rng(7);
    for (DType t : kBlockTypes) {
        const std::size_t cols = block_elems(t) == 32 ? 96 : 512;
        const auto m = random_matrix(t, rng, 5, cols);
        const auto x = random_floats(rng, 2 * cols, -2.0f, 2.0f);
        std::vector<float> y(2 * 5);
        kernels::matmul(kernels::scalar_kernels(), m.view, x.data(), 2, y.data());
        for (std::size_t tok = 0; tok < 2; ++tok)
            for (std::size_t r = 0; r < 5; ++r) {
                double mag = 0.0;
                const double want = exact_dot(m, x.data() + tok * cols, r, &mag);
                ASSERT_NEAR(y[tok * 5 + r], want, 3 * kUnit * mag + kUnit * std::fabs(want) + 1e-30)
                    << name_of(t) << " row " << r;
            }
    }
}

// checkasm-style: the scalar quantised reference and every variant (which falls back to it per
// type until it has its own code) on awkward shapes, against the exact product.
TEST(BlockProducts, QuantisedProductsWithinTheDerivedBound)
{
    for (const auto* k : quantised_tables()) {
        std::mt19937 rng(2026);
        for (DType t : kBlockTypes) {
            const bool big = block_elems(t) == 256;
            const std::size_t act_block = kernels::activation_form(t) == kernels::ActivationForm::Q8x256 ? 256 : 32;
            const std::vector<std::pair<std::size_t, std::size_t>> shapes =
                big ? std::vector<std::pair<std::size_t, std::size_t>>{{1, 256}, {17, 512}, {33, 768}}
                    : std::vector<std::pair<std::size_t, std::size_t>>{{1, 32}, {3, 96}, {33, 64}, {17, 288}};
            for (const auto& [rows, cols] : shapes)
                for (std::size_t n : {1u, 3u, 7u}) {
                    const auto m = random_matrix(t, rng, rows, cols);
                    const auto x = random_floats(rng, n * cols, -3.0f, 3.0f);
                    std::vector<float> y(n * rows, NAN);
                    kernels::matmul(*k, m.view, x.data(), n, y.data());
                    double worst = 0.0;
                    for (std::size_t tok = 0; tok < n; ++tok)
                        for (std::size_t r = 0; r < rows; ++r) {
                            double mag = 0.0;
                            const float* xt = x.data() + tok * cols;
                            const double want = exact_dot(m, xt, r, &mag);
                            const double err = std::fabs(y[tok * rows + r] - want);
                            worst = std::max(worst, err);
                            ASSERT_LE(err, quantised_bound(m, xt, r, act_block))
                                << k->name << " " << name_of(t) << " " << rows << "x" << cols << " n=" << n
                                << " token " << tok << " row " << r << " want " << want;
                        }
                    // The bound is not vacuous: 8-bit activations are visibly inexact.
                    if (rows * n >= 7) {
                        EXPECT_GT(worst, 1e-7) << k->name << " " << name_of(t);
                    }
                }
        }
    }
}

// A matmul over matrices needing both activation forms (as Q4_K_M's mixes do: here Q6_K and
// Q5_0 sharing an input, and Q8_0) gives each what its own call gives.
TEST(BlockProducts, SharedInputWithMixedFormsEqualsSeparateCalls)
{
    std::mt19937 rng(11);
    const auto a = random_matrix(DType::Q6_K, rng, 20, 512);
    const auto b = random_matrix(DType::Q5_0, rng, 9, 512);
    const auto x = random_floats(rng, 3 * 512);
    for (const auto* k : quantised_tables()) {
        std::vector<float> ya(3 * 20), yb(3 * 9), sa(3 * 20), sb(3 * 9);
        kernels::matmul(*k, a.view, x.data(), 3, sa.data());
        kernels::matmul(*k, b.view, x.data(), 3, sb.data());
        const kernels::MatmulTarget targets[] = {{&a.view, ya.data()}, {&b.view, yb.data()}};
        std::vector<std::byte> scratch;
        kernels::matmul_shared_input(*k, targets, x.data(), 3, scratch);
        EXPECT_EQ(ya, sa) << k->name;
        EXPECT_EQ(yb, sb) << k->name;
        EXPECT_LE(scratch.size(), kernels::matmul_scratch_bytes(512, 3));
    }
}

TEST(BlockFormats, RowBytesOfEveryBlockType)
{
    EXPECT_EQ(kernels::row_bytes(DType::Q4_K, 768), 3u * 144u);
    EXPECT_EQ(kernels::row_bytes(DType::Q6_K, 256), 210u);
    EXPECT_EQ(kernels::row_bytes(DType::Q5_0, 96), 3u * 22u);
    EXPECT_EQ(kernels::row_bytes(DType::IQ4_XS, 512), 2u * 136u);
    EXPECT_THROW(kernels::row_bytes(DType::Q4_K, 288), std::invalid_argument); // 9 blocks of 32, not of 256
    EXPECT_THROW(kernels::row_bytes(static_cast<DType>(16), 256), std::invalid_argument); // IQ2_XXS: no kernels
}

// gen-model's Q4_K/Q6_K writers: every value inside its sub-block's decoded range decodes
// back within half of that sub-block's step (kquant_encode.hpp); values outside it land on the
// nearest end. Steps are read from the block by the format's definition (d, dmin f16; Q4_K's
// 6-bit scale/min, Q6_K's int8 scale).
TEST(KQuantEncode, Q4KAndQ6KRoundTripWithinTheirBounds)
{
    auto f16 = [](const std::vector<std::byte>& q, std::size_t at) {
        return static_cast<double>(f16_to_f32(static_cast<std::uint16_t>(
            std::to_integer<unsigned>(q[at]) | (std::to_integer<unsigned>(q[at + 1]) << 8))));
    };
    // |x - y| for a value whose sub-block decodes to step*q + offset, q in [qmin, qmax]
    auto check = [](double x, double y, double step, double offset, int qmin, int qmax, const char* what, std::size_t i) {
        const double a = step * qmin + offset, b = step * qmax + offset;
        const double lo = std::min(a, b), hi = std::max(a, b);
        const double nearest = std::clamp(x, lo, hi);
        ASSERT_LE(std::fabs(y - nearest), std::fabs(step) / 2 + 1e-6 + 1e-6 * std::fabs(x)) << what << " element " << i;
        if (x < lo || x > hi) {
            ASSERT_NEAR(y, nearest, 1e-6 + 1e-6 * std::fabs(x)) << what << " clipped element " << i;
        }
    };
    std::mt19937 rng(99);
    for (int rep = 0; rep < 20; ++rep) {
        auto x = random_floats(rng, 512, rep % 3 == 0 ? 0.0f : -0.5f, rep % 2 == 0 ? 1.0f : 0.25f);
        if (rep == 5)
            std::fill(x.begin(), x.begin() + 256, 0.0f); // an all-zero block
        if (rep == 6)
            std::fill(x.begin(), x.begin() + 32, 0.125f); // a constant sub-block
        std::vector<std::byte> q4(2 * 144), q6(2 * 210);
        quantize_row_q4_k(x, q4);
        quantize_row_q6_k(x, q6);
        std::vector<float> y4(512), y6(512);
        kernels::dequantize_row(DType::Q4_K, q4.data(), y4);
        kernels::dequantize_row(DType::Q6_K, q6.data(), y6);
        for (std::size_t b = 0; b < 2; ++b) {
            const double d4 = f16(q4, b * 144), m4 = f16(q4, b * 144 + 2), d6 = f16(q6, b * 210 + 208);
            for (std::size_t i = 256 * b; i < 256 * (b + 1); ++i) {
                const std::size_t j4 = (i % 256) / 32;
                const auto* sc = reinterpret_cast<const unsigned char*>(q4.data() + b * 144 + 4);
                const unsigned ls = j4 < 4 ? sc[j4] & 63u : (sc[j4 + 4] & 15u) | ((sc[j4 - 4] >> 6) << 4);
                const unsigned lm = j4 < 4 ? sc[j4 + 4] & 63u : (sc[j4 + 4] >> 4) | ((sc[j4] >> 6) << 4);
                check(x[i], y4[i], d4 * ls, -m4 * lm, 0, 15, "Q4_K", i);
                const auto s6 = static_cast<std::int8_t>(std::to_integer<unsigned>(q6[b * 210 + 192 + (i % 256) / 16]));
                check(x[i], y6[i], d6 * s6, 0.0, -32, 31, "Q6_K", i);
            }
        }
        if (rep == 5) {
            for (std::size_t i = 0; i < 256; ++i)
                ASSERT_EQ(y4[i], 0.0f) << i;
        }
        // The writers are not vacuous: relative RMS error of Q6_K under 2%, Q4_K under 8%.
        double e4 = 0, e6 = 0, norm = 0;
        for (std::size_t i = 0; i < 512; ++i) {
            e4 += (y4[i] - x[i]) * (y4[i] - x[i]);
            e6 += (y6[i] - x[i]) * (y6[i] - x[i]);
            norm += double{x[i]} * x[i];
        }
        EXPECT_LT(std::sqrt(e6 / norm), 0.02) << rep;
        EXPECT_LT(std::sqrt(e4 / norm), 0.08) << rep;
    }
    std::vector<std::byte> wrong(100);
    EXPECT_THROW(quantize_row_q4_k(std::vector<float>(256), wrong), std::invalid_argument);
}
