// The sampler: greedy, repetition penalty, top-k, top-p and temperature, each against
// hand-computed expectations, and draws whose frequencies match the intended distribution.
#include "runtime/token_sampler.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <map>

using namespace edge_rt::runtime;

namespace {

SamplerConfig config(float temp, int top_k = 0, float top_p = 1.0f, std::uint64_t seed = 1)
{
    SamplerConfig c;
    c.temperature = temp;
    c.top_k = top_k;
    c.top_p = top_p;
    c.seed = seed;
    return c;
}

std::map<std::int32_t, int> histogram(TokenSampler& s, const std::vector<float>& logits, int n)
{
    std::map<std::int32_t, int> h;
    for (int i = 0; i < n; ++i)
        ++h[s.sample(logits, {})];
    return h;
}

} // namespace

TEST(TokenSampler, GreedyTakesTheArgmaxAndTheLowestIdOnTies)
{
    TokenSampler s(config(0.0f));
    EXPECT_EQ(s.sample(std::vector<float>{0.1f, 2.0f, -1.0f, 1.9f}, {}), 1);
    EXPECT_EQ(s.sample(std::vector<float>{3.0f, 1.0f, 3.0f}, {}), 0);
}

TEST(TokenSampler, RepeatPenaltyDividesPositiveAndMultipliesNegativeLogits)
{
    // 2.0 / 2 = 1.0 < 1.5: the recent token 0 loses; -0.5 * 2 = -1 for token 2.
    SamplerConfig c = config(0.0f);
    c.repeat_penalty = 2.0f;
    c.repeat_last_n = 2;
    TokenSampler s(c);
    const std::vector<float> logits{2.0f, 1.5f, -0.5f, -0.8f};
    const std::vector<std::int32_t> recent{0};
    EXPECT_EQ(s.sample(logits, recent), 1);
    // Only the last 2 history entries count: token 0 three steps back is not penalised.
    EXPECT_EQ(s.sample(logits, std::vector<std::int32_t>{0, 3, 3}), 0);
    // Negative logits get more negative: with every token penalised, -0.5*2 < -0.8*2 is false.
    c.repeat_last_n = -1;
    TokenSampler all(c);
    EXPECT_EQ(all.sample(std::vector<float>{-0.5f, -0.8f}, std::vector<std::int32_t>{0}), 1);
}

TEST(TokenSampler, TopKOneIsGreedyAtAnyTemperature)
{
    TokenSampler s(config(5.0f, 1));
    const std::vector<float> logits{0.3f, 0.2f, 0.31f, 0.0f};
    for (int i = 0; i < 50; ++i)
        ASSERT_EQ(s.sample(logits, {}), 2);
}

TEST(TokenSampler, TemperatureOneDrawsFromTheSoftmax)
{
    // exp(0) : exp(ln 3) = 1 : 3, so token 1 has probability 0.75. With 20000 draws the
    // standard deviation of its frequency is 0.0031; allow 5 of them.
    TokenSampler s(config(1.0f, 0, 1.0f, 123));
    const auto h = histogram(s, {0.0f, std::log(3.0f)}, 20000);
    EXPECT_NEAR(h.at(1) / 20000.0, 0.75, 0.0155);
}

TEST(TokenSampler, TemperatureSharpensAndFlattens)
{
    // At temperature 0.5 the odds 1:3 become 1:9 (p = 0.9); at 2, 1:sqrt(3) (p = 0.634).
    TokenSampler sharp(config(0.5f, 0, 1.0f, 5));
    EXPECT_NEAR(histogram(sharp, {0.0f, std::log(3.0f)}, 20000).at(1) / 20000.0, 0.9, 0.0106);
    TokenSampler flat(config(2.0f, 0, 1.0f, 6));
    EXPECT_NEAR(histogram(flat, {0.0f, std::log(3.0f)}, 20000).at(1) / 20000.0, std::sqrt(3.0) / (1 + std::sqrt(3.0)),
                0.017);
}

TEST(TokenSampler, TopPKeepsTheSmallestSetReachingP)
{
    // Probabilities 0.5, 0.3, 0.2: top-p 0.7 keeps {0, 1} (0.5 < 0.7, 0.8 >= 0.7) and renormalises
    // to 0.625 : 0.375. Token 2 must never appear.
    TokenSampler s(config(1.0f, 0, 0.7f, 77));
    const auto h = histogram(s, {std::log(0.5f), std::log(0.3f), std::log(0.2f)}, 20000);
    EXPECT_EQ(h.count(2), 0u);
    EXPECT_NEAR(h.at(0) / 20000.0, 0.625, 0.017);
    // A tiny p keeps only the best token.
    TokenSampler tiny(config(1.0f, 0, 0.01f, 78));
    EXPECT_EQ(histogram(tiny, {std::log(0.5f), std::log(0.3f), std::log(0.2f)}, 200).at(0), 200);
}

TEST(TokenSampler, TopKCutsBeforeSampling)
{
    TokenSampler s(config(1.0f, 2, 1.0f, 9));
    const auto h = histogram(s, {1.0f, 0.0f, 0.9f, 0.95f}, 2000);
    EXPECT_EQ(h.size(), 2u);
    EXPECT_GT(h.at(0), 0);
    EXPECT_GT(h.at(3), 0);
}

TEST(TokenSampler, SameSeedSameDrawsAndUniformIsInTheUnitInterval)
{
    TokenSampler a(config(1.0f, 0, 1.0f, 42)), b(config(1.0f, 0, 1.0f, 42)), c(config(1.0f, 0, 1.0f, 43));
    const std::vector<float> logits(50, 0.0f);
    std::vector<std::int32_t> da, db, dc;
    for (int i = 0; i < 100; ++i) {
        da.push_back(a.sample(logits, {}));
        db.push_back(b.sample(logits, {}));
        dc.push_back(c.sample(logits, {}));
    }
    EXPECT_EQ(da, db);
    EXPECT_NE(da, dc);
    double sum = 0;
    for (int i = 0; i < 10000; ++i) {
        const double u = a.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    EXPECT_NEAR(sum / 10000, 0.5, 0.015); // sd of the mean: 0.0029
}
