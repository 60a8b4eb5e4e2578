// stories260K, a real trained Llama: greedy generation must reproduce llama2.c's published
// output, and the F32/F16/Q8_0/Q4_0 files must match what llama.cpp computes for them.
#include "env.hpp"
#include "golden_options.hpp"
#include "model_data.hpp"
#include "tokenizer/tokenizer.hpp"
#include "runtime/generate.hpp"
#include "temp_dir.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

runtime::GenerateOptions greedy(std::size_t n)
{
    runtime::GenerateOptions o;
    o.max_tokens = n;
    o.sampler.temperature = 0.0f;
    return o;
}

struct VariantCase {
    const char* model;     // under test/data/stories260K/variants, or "" for the bundled F32 file
    const char* reference; // llama.cpp's output for it
    const char* float64;   // test/data/stories260K/float64/<float64>.{ids,logits.f32}
    double tolerance;      // on llama.cpp's logits, see below
};

std::filesystem::path model_path(const VariantCase& c)
{
    return *c.model ? test_data(std::string("stories260K/variants/") + c.model) : bundled_model();
}

// Our float32 arithmetic stays within 1e-4 of the float64 reference. Kernels that quantise the
// activations of Q8_0/Q4_0 products to 8 bits (as llama.cpp does) add that rounding, bounded per
// product by test/kernels/checkasm_test.cpp; over the whole model it reached 0.29 (Q8_0) and
// 0.21 (Q4_0) here (llama.cpp: 0.16), so 0.45 is 1.5 times the largest, as for llama.cpp above.
double float64_tolerance(const VariantCase& c, const kernels::KernelTable& k)
{
    const std::string name = c.float64;
    const bool block_weights = name.find("Q8_0") != std::string::npos || name.find("Q4_0") != std::string::npos;
    return block_weights && k.quantized_activations ? 0.45 : 1e-4;
}

} // namespace

TEST(Stories260K, GreedyFromBosReproducesLlama2cFor200Steps)
{
    EDGE_RT_SKIP_IF_VARIANT_MISSING();
    const auto want = read_ids(test_data("stories260K/reference/greedy_bos_200steps.ids"));
    ASSERT_EQ(want.size(), 200u);
    runtime::Engine engine(bundled_model(), golden_options());
    runtime::Conversation session(engine);
    const std::int32_t bos = 1;
    const auto result = runtime::generate(session, std::span(&bos, 1), greedy(200));
    EXPECT_EQ(result.generated, want);
    EXPECT_EQ(result.stop, runtime::Ending::MaxTokens);
    EXPECT_EQ(result.stats.prefill_tokens, 1u);
    EXPECT_EQ(result.stats.decode_tokens, 199u);
    // Decoded with the model's own tokenizer (BOS first, so the first piece loses its space).
    const auto tokenizer = model::tokenizer_from_gguf(*engine.source().gguf);
    std::vector<std::int32_t> with_bos{bos};
    with_bos.insert(with_bos.end(), result.generated.begin(), result.generated.end());
    const auto text = read_file(test_data("stories260K/reference/greedy_bos_200steps.txt"));
    EXPECT_EQ(model::decode(*tokenizer, with_bos), std::string(text.begin(), text.end()));
}

class Stories260KVariant : public ::testing::TestWithParam<VariantCase> {};

// Every greedy id must match (the smallest top-1/top-2 gap is above 0.06), and the logits
// llama.cpp reports as its top 5 of each step must match ours. llama.cpp itself is not exact:
// against the float64 reference (test/data/stories260K/float64) its logits are off by up to
// 0.016 (F32, F16: F16 KV cache, F16-rounded activations) and 0.16 (Q8_0, Q4_0: 8-bit
// activations), so the tolerance is twice (F32/F16) or 1.5 times (Q8_0/Q4_0) that; the tight
// check is the float64 test below.
TEST_P(Stories260KVariant, MatchesLlamaCppFor64Steps)
{
    EDGE_RT_SKIP_IF_VARIANT_MISSING();
    const auto& c = GetParam();
    const auto ref = read_json(test_data(std::string("stories260K/variants/") + c.reference));
    runtime::Engine engine(model_path(c), golden_options());
    runtime::Conversation session(engine);
    const auto prompt = ref.at("prompt_ids").get<std::vector<std::int32_t>>();
    ASSERT_EQ(prompt, (std::vector<std::int32_t>{1, 403, 407, 261, 378}));
    const auto& steps = ref.at("steps");
    std::size_t step = 0;
    double worst = 0.0;
    const auto result = runtime::generate(session, prompt, greedy(64), [&](std::int32_t, std::span<const float> logits) {
        const auto& s = steps.at(step++);
        const auto ids = s.at("top5_ids").get<std::vector<int>>();
        const auto values = s.at("top5_logits").get<std::vector<double>>();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const double diff = std::fabs(logits[static_cast<std::size_t>(ids[i])] - values[i]);
            worst = std::max(worst, diff);
            EXPECT_LE(diff, c.tolerance) << c.reference << " step " << step - 1 << " id " << ids[i];
        }
    });
    EXPECT_EQ(result.generated, ref.at("greedy_ids").get<std::vector<std::int32_t>>());
    EXPECT_EQ(step, 64u);
    std::printf("%s: largest top-5 logit difference from llama.cpp %.5f\n", c.reference, worst);
}

// All 512 logits of every fourth step against an independent float64 implementation: ours
// computes in float32, so 1e-4 leaves a wide margin (see float64_tolerance for 8-bit activations).
TEST_P(Stories260KVariant, MatchesFloat64ReferenceFor64Steps)
{
    EDGE_RT_SKIP_IF_VARIANT_MISSING();
    const auto& c = GetParam();
    const auto prefix = std::string("stories260K/float64/") + c.float64;
    const auto want_ids = read_ids(test_data(prefix + ".ids"));
    const auto want_logits = read_f32(test_data(prefix + ".logits.f32"));
    runtime::Engine engine(model_path(c), golden_options());
    runtime::Conversation session(engine);
    const std::size_t n_vocab = engine.config().n_vocab;
    ASSERT_EQ(want_logits.size(), 16 * n_vocab);
    const double tolerance = float64_tolerance(c, engine.arch().kernels());
    const std::vector<std::int32_t> prompt{1, 403, 407, 261, 378};
    std::size_t step = 0;
    double worst = 0.0;
    const auto result = runtime::generate(session, prompt, greedy(64), [&](std::int32_t, std::span<const float> logits) {
        if (step % 4 == 0) {
            const float* want = want_logits.data() + step / 4 * n_vocab;
            for (std::size_t v = 0; v < n_vocab; ++v) {
                worst = std::max(worst, static_cast<double>(std::fabs(logits[v] - want[v])));
                ASSERT_NEAR(logits[v], want[v], tolerance) << c.float64 << " step " << step << " id " << v;
            }
        }
        ++step;
    });
    EXPECT_EQ(result.generated, want_ids);
    std::printf("%s: largest logit difference from float64 %.2e\n", c.float64, worst);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, Stories260KVariant,
    ::testing::Values(VariantCase{"", "stories260K.llamacpp.json", "stories260K-F32", 0.032},
                      VariantCase{"stories260K-F16.gguf", "stories260K-F16.llamacpp.json", "stories260K-F16", 0.032},
                      VariantCase{"stories260K-Q8_0.gguf", "stories260K-Q8_0.llamacpp.json", "stories260K-Q8_0", 0.25},
                      VariantCase{"stories260K-Q4_0.gguf", "stories260K-Q4_0.llamacpp.json", "stories260K-Q4_0", 0.25}),
    [](const auto& param_info) {
        std::string name = param_info.param.reference;
        name = name.substr(0, name.find(".llamacpp"));
        for (auto& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch)))
                ch = '_';
        return name;
    });

// Prefill runs the prompt as one batch per layer, decode one token at a time: both must give
// the same numbers (the kernels decode each weight row the same way either way).
TEST(Stories260K, BatchedPrefillEqualsTokenByToken)
{
    EDGE_RT_SKIP_IF_VARIANT_MISSING();
    runtime::Engine engine(test_data("stories260K/variants/stories260K-Q4_0.gguf"), golden_options());
    const std::vector<std::int32_t> prompt{1, 403, 407, 261, 378, 432, 383};
    runtime::Conversation batched(engine);
    const auto all = batched.forward(prompt, true);
    const std::vector<float> rows(all.begin(), all.end());
    runtime::Conversation single(engine);
    for (std::size_t t = 0; t < prompt.size(); ++t) {
        const auto logits = single.forward(std::span(prompt).subspan(t, 1));
        for (std::size_t v = 0; v < engine.config().n_vocab; ++v)
            ASSERT_EQ(logits[v], rows[t * engine.config().n_vocab + v]) << "position " << t;
    }
    // A chunked prefill (batches of 3) gives the same last row as well.
    runtime::Conversation chunked(engine, {.n_ctx = 0, .max_batch = 3});
    const auto last = chunked.forward(prompt);
    for (std::size_t v = 0; v < engine.config().n_vocab; ++v)
        ASSERT_EQ(last[v], rows[(prompt.size() - 1) * engine.config().n_vocab + v]);
}
