// GPT-2 on a small random model written as GGUF: every logit of every prompt position
// against a double-precision reference forward pass written here from the GPT-2 definition
// (pre-LayerNorm blocks, fused QKV, causal attention, gelu_new, learned positions, tied head).
#include "edge_rt/error.hpp"
#include "gguf_builder.hpp"
#include "runtime/conversation.hpp"
#include "temp_dir.hpp"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <map>
#include <numbers>
#include <random>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr std::size_t E = 8, H = 2, F = 32, V = 16, P = 8, L = 2;
using Vec = std::vector<double>;

// Weights as the GGML shape says: a matrix {cols, rows} is rows of `cols` values.
struct Gpt2Weights {
    std::map<std::string, std::vector<float>> t;
    std::map<std::string, std::vector<std::uint64_t>> shape;
    void add(std::mt19937& rng, const std::string& name, std::vector<std::uint64_t> s, float scale, float offset = 0)
    {
        std::size_t n = 1;
        for (auto d : s)
            n *= d;
        std::normal_distribution<float> dist(offset, scale);
        auto& v = t[name];
        for (std::size_t i = 0; i < n; ++i)
            v.push_back(dist(rng));
        shape[name] = std::move(s);
    }
};

Gpt2Weights random_gpt2(unsigned seed)
{
    std::mt19937 rng(seed);
    Gpt2Weights w;
    w.add(rng, "token_embd.weight", {E, V}, 0.5f);
    w.add(rng, "position_embd.weight", {E, P}, 0.3f);
    for (std::size_t i = 0; i < L; ++i) {
        const auto n = [i](const char* s) { return "blk." + std::to_string(i) + "." + s; };
        w.add(rng, n("attn_norm.weight"), {E}, 0.1f, 1.0f);
        w.add(rng, n("attn_norm.bias"), {E}, 0.1f);
        w.add(rng, n("attn_qkv.weight"), {E, 3 * E}, 0.4f);
        w.add(rng, n("attn_qkv.bias"), {3 * E}, 0.1f);
        w.add(rng, n("attn_output.weight"), {E, E}, 0.4f);
        w.add(rng, n("attn_output.bias"), {E}, 0.1f);
        w.add(rng, n("ffn_norm.weight"), {E}, 0.1f, 1.0f);
        w.add(rng, n("ffn_norm.bias"), {E}, 0.1f);
        w.add(rng, n("ffn_up.weight"), {E, F}, 0.4f);
        w.add(rng, n("ffn_up.bias"), {F}, 0.1f);
        w.add(rng, n("ffn_down.weight"), {F, E}, 0.2f);
        w.add(rng, n("ffn_down.bias"), {E}, 0.1f);
    }
    w.add(rng, "output_norm.weight", {E}, 0.1f, 1.0f);
    w.add(rng, "output_norm.bias", {E}, 0.1f);
    return w;
}

std::vector<std::uint8_t> as_gguf(const Gpt2Weights& w)
{
    GgufBuilder b;
    b.kv_string("general.architecture", "gpt2")
        .kv_u32("gpt2.embedding_length", E)
        .kv_u32("gpt2.block_count", L)
        .kv_u32("gpt2.attention.head_count", H)
        .kv_u32("gpt2.feed_forward_length", F)
        .kv_u32("gpt2.context_length", P)
        .kv_f32("gpt2.attention.layer_norm_epsilon", 1e-5f);
    for (const auto& [name, values] : w.t) {
        std::vector<std::uint8_t> bytes(values.size() * 4);
        std::memcpy(bytes.data(), values.data(), bytes.size());
        b.tensor(name, w.shape.at(name), 0, std::move(bytes));
    }
    return b.build();
}

// ---- the double-precision reference ----

Vec linear(const std::vector<float>& m, const std::vector<float>& bias, const Vec& x, std::size_t out)
{
    Vec y(out);
    for (std::size_t r = 0; r < out; ++r) {
        y[r] = bias[r];
        for (std::size_t c = 0; c < x.size(); ++c)
            y[r] += m[r * x.size() + c] * x[c];
    }
    return y;
}

Vec layer_norm(const Vec& x, const std::vector<float>& g, const std::vector<float>& b)
{
    double mean = 0, var = 0;
    for (double v : x)
        mean += v / x.size();
    for (double v : x)
        var += (v - mean) * (v - mean) / x.size();
    Vec y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = (x[i] - mean) / std::sqrt(var + 1e-5) * g[i] + b[i];
    return y;
}

std::vector<Vec> reference_logits(const Gpt2Weights& w, const std::vector<int>& tokens)
{
    const auto& T = w.t;
    const std::size_t n = tokens.size(), hd = E / H;
    std::vector<Vec> x(n, Vec(E));
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t i = 0; i < E; ++i)
            x[t][i] = T.at("token_embd.weight")[tokens[t] * E + i] + T.at("position_embd.weight")[t * E + i];
    for (std::size_t l = 0; l < L; ++l) {
        const auto n_ = [l](const char* s) { return "blk." + std::to_string(l) + "." + s; };
        std::vector<Vec> qkv(n);
        for (std::size_t t = 0; t < n; ++t)
            qkv[t] = linear(T.at(n_("attn_qkv.weight")), T.at(n_("attn_qkv.bias")),
                            layer_norm(x[t], T.at(n_("attn_norm.weight")), T.at(n_("attn_norm.bias"))), 3 * E);
        for (std::size_t t = 0; t < n; ++t) {
            Vec att(E);
            for (std::size_t h = 0; h < H; ++h) {
                Vec s(t + 1);
                double max = -1e300, sum = 0;
                for (std::size_t j = 0; j <= t; ++j) {
                    for (std::size_t d = 0; d < hd; ++d)
                        s[j] += qkv[t][h * hd + d] * qkv[j][E + h * hd + d] / std::sqrt(double(hd));
                    max = std::max(max, s[j]);
                }
                for (auto& v : s)
                    sum += (v = std::exp(v - max));
                for (std::size_t j = 0; j <= t; ++j)
                    for (std::size_t d = 0; d < hd; ++d)
                        att[h * hd + d] += s[j] / sum * qkv[j][2 * E + h * hd + d];
            }
            const Vec proj = linear(T.at(n_("attn_output.weight")), T.at(n_("attn_output.bias")), att, E);
            for (std::size_t i = 0; i < E; ++i)
                x[t][i] += proj[i];
            Vec up = linear(T.at(n_("ffn_up.weight")), T.at(n_("ffn_up.bias")),
                            layer_norm(x[t], T.at(n_("ffn_norm.weight")), T.at(n_("ffn_norm.bias"))), F);
            for (auto& v : up)
                v = 0.5 * v * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
            const Vec down = linear(T.at(n_("ffn_down.weight")), T.at(n_("ffn_down.bias")), up, E);
            for (std::size_t i = 0; i < E; ++i)
                x[t][i] += down[i];
        }
    }
    std::vector<Vec> logits;
    const std::vector<float> no_bias(V, 0.0f);
    for (std::size_t t = 0; t < n; ++t)
        logits.push_back(linear(T.at("token_embd.weight"), no_bias,
                                layer_norm(x[t], T.at("output_norm.weight"), T.at("output_norm.bias")), V));
    return logits;
}

} // namespace

TEST(Gpt2Synthetic, EveryPositionsLogitsMatchDoubleReference)
{
    const auto weights = random_gpt2(7);
    TempDir dir;
    const auto path = dir.write("gpt2.gguf", as_gguf(weights));
    runtime::Engine engine(path);
    EXPECT_EQ(engine.config().arch, model::Arch::Gpt2);
    EXPECT_TRUE(engine.config().tied_output);
    const std::vector<int> tokens{3, 15, 0, 7, 7, 12};
    const auto want = reference_logits(weights, tokens);
    runtime::Conversation session(engine);
    const auto got = session.forward(std::vector<std::int32_t>(tokens.begin(), tokens.end()), true);
    ASSERT_EQ(got.size(), tokens.size() * V);
    for (std::size_t t = 0; t < tokens.size(); ++t)
        for (std::size_t v = 0; v < V; ++v)
            ASSERT_NEAR(got[t * V + v], want[t][v], 1e-5) << "position " << t << " token " << v;

    // Decoding the same tokens one at a time after a shorter prefill gives the same last rows.
    runtime::Conversation stepwise(engine);
    (void)stepwise.forward(std::vector<std::int32_t>{3, 15});
    for (std::size_t t = 2; t < tokens.size(); ++t) {
        const auto row = stepwise.forward(std::vector<std::int32_t>{tokens[t]});
        for (std::size_t v = 0; v < V; ++v)
            ASSERT_NEAR(row[v], want[t][v], 1e-5) << "position " << t;
    }
}

TEST(Gpt2Synthetic, ContextCannotExceedLearnedPositions)
{
    TempDir dir;
    runtime::Engine engine(dir.write("gpt2.gguf", as_gguf(random_gpt2(8))));
    EXPECT_EQ(runtime::Conversation(engine).n_ctx(), P); // default: min(trained context, 2048)
    EXPECT_THROW(runtime::Conversation(engine, {.n_ctx = P + 1}), ConfigError);
}

// Hugging Face GPT-2 stores its Conv1D weights [in][out]: the same model with those four
// matrices written transposed and flagged `transposed` must give the same logits.
TEST(Gpt2Synthetic, TransposedConv1DWeightsAreTransposedAtLoad)
{
    const auto weights = random_gpt2(9);
    TempDir dir;
    runtime::Engine plain(dir.write("gpt2.gguf", as_gguf(weights)));
    model::ModelSource source;
    source.path = dir.path() / "raw.bin";
    source.config = plain.config();
    source.tensors.files.push_back(source.path.string());
    std::vector<std::uint8_t> file;
    for (const auto& [name, values] : weights.t) {
        const auto& shape = weights.shape.at(name);
        const bool conv1d = name.find("attn_qkv.weight") != std::string::npos ||
                            name.find("attn_output.weight") != std::string::npos ||
                            name.find("ffn_up.weight") != std::string::npos ||
                            name.find("ffn_down.weight") != std::string::npos;
        std::vector<float> stored = values;
        if (conv1d) { // [rows = out][cols = in] becomes [in][out] on disk
            const std::size_t cols = shape[0], rows = shape[1];
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t c = 0; c < cols; ++c)
                    stored[c * rows + r] = values[r * cols + c];
        }
        source.tensors.tensors.push_back({name, shape, 0, 0, file.size(), stored.size() * 4, conv1d});
        const auto* p = reinterpret_cast<const std::uint8_t*>(stored.data());
        file.insert(file.end(), p, p + stored.size() * 4);
    }
    dir.write("raw.bin", file);
    runtime::Engine transposed(std::move(source));
    const std::vector<std::int32_t> tokens{1, 2, 3, 4};
    runtime::Conversation a(plain), b(transposed);
    const auto ra = a.forward(tokens, true);
    const std::vector<float> rows_a(ra.begin(), ra.end());
    const auto rb = b.forward(tokens, true);
    ASSERT_EQ(rb.size(), rows_a.size());
    for (std::size_t i = 0; i < rb.size(); ++i)
        ASSERT_EQ(rb[i], rows_a[i]) << i;
}
