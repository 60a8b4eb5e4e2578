// Matrix x vector / matrix for every weight type against a double-precision reference built
// from the independently decoded weights. Decoded weights are exact floats and products of two
// floats are exact in double, so the kernel must agree to within float rounding of the result.
#include "kernels/kernel_table.hpp"
#include "kernels/matmul.hpp"
#include "reference_util.hpp"

#include <cfloat>
#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

struct Case {
    DType dtype;
    std::size_t rows, cols;
};

// Odd sizes wherever the type allows; block types need whole blocks of 32 per row.
const Case kCases[] = {
    {DType::F32, 13, 37}, {DType::F16, 11, 45}, {DType::BF16, 7, 29},
    {DType::Q8_0, 9, 96}, {DType::Q4_0, 5, 160}, {DType::F32, 1, 1},
};

std::string type_name(DType t) { return dtype_name(static_cast<std::uint32_t>(t)); }

void expect_matches_reference(const TestMatrix& m, const std::vector<float>& x, std::size_t n,
                              const std::vector<float>& y)
{
    const auto& w = m.view;
    for (std::size_t t = 0; t < n; ++t) {
        for (std::size_t r = 0; r < w.rows; ++r) {
            double want = 0.0, magnitude = 0.0;
            for (std::size_t c = 0; c < w.cols; ++c) {
                want += m.values[r * w.cols + c] * x[t * w.cols + c];
                magnitude += std::fabs(m.values[r * w.cols + c] * x[t * w.cols + c]);
            }
            ASSERT_NEAR(y[t * w.rows + r], want, 2.0 * FLT_EPSILON * magnitude + 1e-30)
                << type_name(w.dtype) << " token " << t << " row " << r;
        }
    }
}

} // namespace

TEST(Matmul, MatvecMatchesDoubleReferenceForEveryType)
{
    std::mt19937 rng(11);
    const auto& k = kernels::scalar_kernels();
    for (const auto& c : kCases) {
        const auto m = make_matrix(rng, c.dtype, c.rows, c.cols);
        const auto x = random_floats(rng, c.cols, -2.0f, 2.0f);
        std::vector<float> y(c.rows);
        kernels::matmul(k, m.view, x.data(), 1, y.data());
        expect_matches_reference(m, x, 1, y);
    }
}

TEST(Matmul, BatchedMatchesReferenceAndMatvecBitForBit)
{
    std::mt19937 rng(12);
    const auto& k = kernels::scalar_kernels();
    for (const auto& c : kCases) {
        const std::size_t n = 5;
        const auto m = make_matrix(rng, c.dtype, c.rows, c.cols);
        const auto x = random_floats(rng, n * c.cols, -2.0f, 2.0f);
        std::vector<float> y(n * c.rows);
        kernels::matmul(k, m.view, x.data(), n, y.data());
        expect_matches_reference(m, x, n, y);
        // Prefill (batched) and decode (one token) must give identical numbers.
        for (std::size_t t = 0; t < n; ++t) {
            std::vector<float> one(c.rows);
            kernels::matmul(k, m.view, x.data() + t * c.cols, 1, one.data());
            for (std::size_t r = 0; r < c.rows; ++r)
                ASSERT_EQ(one[r], y[t * c.rows + r]) << type_name(c.dtype);
        }
    }
}

TEST(Matmul, HandComputedF32Product)
{
    // [[1 2 3] [4 5 6]] x [1 0 -1] = [-2 -2]
    const float w[] = {1, 2, 3, 4, 5, 6};
    const float x[] = {1, 0, -1};
    float y[2] = {};
    const kernels::WeightView view{reinterpret_cast<const std::byte*>(w), DType::F32, 3, 2};
    kernels::matmul(kernels::scalar_kernels(), view, x, 1, y);
    EXPECT_EQ(y[0], -2.0f);
    EXPECT_EQ(y[1], -2.0f);
}

TEST(Embedding, RowOfEveryTypeMatchesTheDefinition)
{
    std::mt19937 rng(13);
    const auto& k = kernels::scalar_kernels();
    for (DType t : kAllWeightTypes) {
        const auto m = make_matrix(rng, t, 7, 64);
        std::vector<float> out(64);
        for (std::size_t row : {0u, 3u, 6u}) {
            k.embedding_row(m.view, row, out.data());
            for (std::size_t c = 0; c < 64; ++c)
                ASSERT_EQ(static_cast<double>(out[c]), m.values[row * 64 + c]) << type_name(t);
        }
        EXPECT_THROW(k.embedding_row(m.view, 7, out.data()), std::out_of_range);
    }
}
