// Architecture::split_output: the output head cut into parts of vocabulary rows gives the
// same logits, bit for bit, as the whole head (each logit is one row's dot product with the
// normalised state, whichever part holds the row), for one token and for a batch.
#include "core/half.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/kernel_table.hpp"
#include "kernels/weight_view.hpp"
#include "arch/architecture.hpp"
#include "small_config.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace edge_rt;

namespace {

// 200 / 3 is not whole: split in three, the parts hold 66, 67 and 67 rows.
model::ModelConfig head_config() { return test::small_llama_config("head", 1, 200); }

// Q8_0 rows of random quants with scales around 1/64.
std::vector<std::byte> q8_matrix(std::size_t rows, std::size_t cols, std::mt19937& rng)
{
    std::vector<std::byte> m(rows * cols / 32 * 34);
    std::uniform_int_distribution<int> q(-127, 127);
    std::uniform_real_distribution<float> d(0.005f, 0.03f);
    for (std::size_t b = 0; b < m.size() / 34; ++b) {
        const std::uint16_t scale = f32_to_f16(d(rng));
        std::memcpy(&m[b * 34], &scale, 2);
        for (std::size_t i = 0; i < 32; ++i)
            m[b * 34 + 2 + i] = static_cast<std::byte>(static_cast<std::int8_t>(q(rng)));
    }
    return m;
}

// Logits of the last n_rows of `tokens` hidden states through every output group of `arch`.
std::vector<float> logits_of(const model::Architecture& arch, const std::vector<float>& hidden, std::size_t tokens,
                             std::size_t n_rows, const kernels::WeightView& norm, const kernels::WeightView& matrix)
{
    const auto& c = arch.config();
    model::Activations a;
    a.reserve(c, tokens, 16);
    a.n_tokens = tokens;
    std::copy(hidden.begin(), hidden.end(), a.x.begin());
    std::vector<float> logits(n_rows * c.n_vocab, -1.0f);
    const std::size_t row = kernels::row_bytes(matrix.dtype, matrix.cols);
    for (const auto& g : arch.groups()) {
        if (g.kind != model::GroupKind::Output)
            continue;
        const auto& spec = g.weights.back();
        const std::size_t begin = spec.row_begin, end = spec.row_end ? spec.row_end : matrix.rows;
        std::vector<kernels::WeightView> views;
        if (g.weights.size() == 2)
            views.push_back(norm);
        views.push_back({matrix.data + begin * row, matrix.dtype, matrix.cols, end - begin});
        arch.output(g, views, a, n_rows, logits);
    }
    return logits;
}

} // namespace

TEST(OutputSplit, PartsCoverTheVocabularyOnceAndOnlyTheFirstHoldsTheNorm)
{
    auto arch = model::make_architecture(head_config());
    arch->split_output(3);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::size_t with_norm = 0;
    for (const auto& g : arch->groups())
        if (g.kind == model::GroupKind::Output) {
            EXPECT_EQ(g.parts, 3u);
            ranges.emplace_back(g.weights.back().row_begin, g.weights.back().row_end);
            with_norm += g.weights.size() == 2 ? 1 : 0;
            EXPECT_EQ(g.weights.front().name, g.layer == 0 ? "output_norm.weight" : "output.weight");
        }
    EXPECT_EQ(ranges, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 66}, {66, 133}, {133, 200}}));
    EXPECT_EQ(with_norm, 1u);
    EXPECT_THROW(arch->split_output(2), std::logic_error);
}

TEST(OutputSplit, SplitLogitsEqualTheWholeHeadBitForBit)
{
    const auto c = head_config();
    std::mt19937 rng(11);
    const auto q8 = q8_matrix(c.n_vocab, c.n_embd, rng);
    std::vector<float> gamma(c.n_embd), hidden(4 * c.n_embd);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (auto& g : gamma)
        g = 1.0f + 0.1f * n(rng);
    for (auto& h : hidden)
        h = n(rng);
    const kernels::WeightView norm{reinterpret_cast<const std::byte*>(gamma.data()), DType::F32, c.n_embd, 1};
    const kernels::WeightView matrix{q8.data(), DType::Q8_0, c.n_embd, c.n_vocab};
    for (const kernels::KernelTable* k : {&kernels::scalar_kernels(), &kernels::best_kernels()}) {
        SCOPED_TRACE(k->name);
        const auto whole = model::make_architecture(c, *k);
        for (std::uint32_t parts : {2u, 3u, 7u}) {
            auto split = model::make_architecture(c, *k);
            split->split_output(parts);
            for (std::size_t rows : {std::size_t{1}, std::size_t{3}}) {
                SCOPED_TRACE(::testing::Message() << parts << " parts, " << rows << " rows");
                const auto want = logits_of(*whole, hidden, 4, rows, norm, matrix);
                const auto got = logits_of(*split, hidden, 4, rows, norm, matrix);
                ASSERT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0);
                EXPECT_NE(want.front(), -1.0f);
                EXPECT_NE(want.back(), -1.0f);
            }
        }
    }
}
