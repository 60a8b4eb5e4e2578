// Phi-2's output head: LayerNorm with bias, the matrix, then the output bias. The bias is
// decoded by the first output part and added to each part's own rows, so a head split into
// parts gives the whole head's logits bit for bit, and those equal a float64 computation.
#include "kernels/kernel_table.hpp"
#include "kernels/weight_view.hpp"
#include "arch/architecture.hpp"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace edge_rt;

namespace {

model::ModelConfig phi2_config()
{
    model::ModelConfig c;
    c.arch = model::Arch::Phi2;
    c.arch_name = "phi2";
    c.name = "phi2-head";
    c.n_embd = 64;
    c.n_layer = 1;
    c.n_head = 4;
    c.n_head_kv = 4;
    c.n_ff = 128;
    c.n_vocab = 200; // 200 / 3 is not whole: parts of 66, 67 and 67 rows
    c.n_ctx_train = 64;
    c.n_rot = 6;
    c.rope_style = model::RopeStyle::Halves;
    c.fused_qkv = true;
    return c;
}

kernels::WeightView f32_view(const std::vector<float>& v, std::size_t cols, std::size_t rows)
{
    return {reinterpret_cast<const std::byte*>(v.data()), DType::F32, cols, rows};
}

struct Head {
    std::vector<float> gamma, beta, bias, matrix, hidden;
};

std::vector<float> logits_of(const model::Architecture& arch, const Head& h, std::size_t tokens, std::size_t n_rows)
{
    const auto& c = arch.config();
    model::Activations a;
    a.reserve(c, tokens, 16);
    a.n_tokens = tokens;
    std::copy(h.hidden.begin(), h.hidden.end(), a.x.begin());
    std::vector<float> logits(n_rows * c.n_vocab, -1.0f);
    for (const auto& g : arch.groups()) {
        if (g.kind != model::GroupKind::Output)
            continue;
        const auto& spec = g.weights.back();
        const std::size_t begin = spec.row_begin, end = spec.row_end ? spec.row_end : c.n_vocab;
        std::vector<kernels::WeightView> views;
        if (g.layer == 0) {
            EXPECT_EQ(g.weights.size(), 4u);
            views = {f32_view(h.gamma, c.n_embd, 1), f32_view(h.beta, c.n_embd, 1), f32_view(h.bias, c.n_vocab, 1)};
        }
        views.push_back({reinterpret_cast<const std::byte*>(h.matrix.data() + begin * c.n_embd), DType::F32, c.n_embd,
                         end - begin});
        arch.output(g, views, a, n_rows, logits);
    }
    return logits;
}

} // namespace

TEST(Phi2Output, SplitHeadEqualsWholeHeadAndFloat64)
{
    const auto c = phi2_config();
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0.0f, 1.0f);
    Head h;
    const auto fill = [&](std::vector<float>& v, std::size_t size, float mean, float scale) {
        v.resize(size);
        for (auto& x : v)
            x = mean + scale * n(rng);
    };
    fill(h.gamma, c.n_embd, 1.0f, 0.2f);
    fill(h.beta, c.n_embd, 0.0f, 0.3f);
    fill(h.bias, c.n_vocab, 0.0f, 1.0f);
    fill(h.matrix, std::size_t{c.n_vocab} * c.n_embd, 0.0f, 0.125f);
    fill(h.hidden, 4 * std::size_t{c.n_embd}, 0.0f, 1.0f);
    const auto whole = model::make_architecture(c, kernels::scalar_kernels());
    const std::size_t rows = 3;
    const auto want = logits_of(*whole, h, 4, rows);
    // float64: LayerNorm (biased variance, eps 1e-5), matrix, bias, for the last 3 tokens.
    for (std::size_t t = 0; t < rows; ++t) {
        const float* x = h.hidden.data() + (1 + t) * c.n_embd;
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < c.n_embd; ++i)
            mean += x[i] / static_cast<double>(c.n_embd);
        for (std::size_t i = 0; i < c.n_embd; ++i)
            var += (x[i] - mean) * (x[i] - mean) / static_cast<double>(c.n_embd);
        for (std::size_t v = 0; v < c.n_vocab; ++v) {
            double sum = h.bias[v];
            for (std::size_t i = 0; i < c.n_embd; ++i)
                sum += ((x[i] - mean) / std::sqrt(var + 1e-5) * h.gamma[i] + h.beta[i]) * h.matrix[v * c.n_embd + i];
            ASSERT_NEAR(want[t * c.n_vocab + v], sum, 1e-4) << "token " << t << " row " << v;
        }
    }
    for (std::uint32_t parts : {2u, 3u, 7u}) {
        auto split = model::make_architecture(c, kernels::scalar_kernels());
        split->split_output(parts);
        const auto got = logits_of(*split, h, 4, rows);
        EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0) << parts << " parts";
    }
}
