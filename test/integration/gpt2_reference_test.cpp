// GPT-2 (random weights, Hugging Face SafeTensors layout, F32 and F16) against logits that an
// independent implementation computed in float64: every prompt position's logits within 1e-4
// and the 24 greedy ids exactly (their top-2 margins are far above float32 error).
#include "golden_options.hpp"
#include "model_data.hpp"
#include "runtime/generate.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

class Gpt2Reference : public ::testing::TestWithParam<const char*> {};

TEST_P(Gpt2Reference, EveryPromptPositionsLogitsMatch)
{
    EDGE_RT_SKIP_IF_VARIANT_MISSING();
    const auto dir = test_data(GetParam());
    const auto ref = read_json(dir / "reference.json");
    const auto want = read_f32(dir / "logits.f32");
    const auto prompt = ref.at("prompt_ids").get<std::vector<std::int32_t>>();
    runtime::Engine engine(dir, golden_options());
    const std::size_t n_vocab = engine.config().n_vocab;
    ASSERT_EQ(want.size(), prompt.size() * n_vocab);
    runtime::Conversation session(engine);
    const auto got = session.forward(prompt, true);
    double worst = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        worst = std::max(worst, static_cast<double>(std::fabs(got[i] - want[i])));
        ASSERT_NEAR(got[i], want[i], 1e-4) << "position " << i / n_vocab << " token " << i % n_vocab;
    }
    const auto last = ref.at("logits_last").get<std::vector<double>>();
    for (std::size_t v = 0; v < n_vocab; ++v)
        ASSERT_NEAR(got[(prompt.size() - 1) * n_vocab + v], last[v], 1e-4);
    std::printf("%s: largest logit difference from the float64 reference %.2e\n", GetParam(), worst);
}

TEST_P(Gpt2Reference, GreedyIdsMatch)
{
    EDGE_RT_SKIP_IF_VARIANT_MISSING();
    const auto dir = test_data(GetParam());
    const auto ref = read_json(dir / "reference.json");
    const auto prompt = ref.at("prompt_ids").get<std::vector<std::int32_t>>();
    const auto want = ref.at("greedy_ids").get<std::vector<std::int32_t>>();
    runtime::Engine engine(dir, golden_options());
    runtime::Conversation session(engine);
    runtime::GenerateOptions greedy;
    greedy.max_tokens = want.size();
    greedy.sampler.temperature = 0.0f;
    EXPECT_EQ(runtime::generate(session, prompt, greedy).generated, want);
}

INSTANTIATE_TEST_SUITE_P(F32AndF16, Gpt2Reference, ::testing::Values("gpt2-tiny-random-f32", "gpt2-tiny-random-f16"),
                         [](const auto& param_info) {
                             return std::string(param_info.param).find("f16") != std::string::npos ? "F16" : "F32";
                         });
