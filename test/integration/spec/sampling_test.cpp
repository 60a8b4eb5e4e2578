// With sampling, speculative decoding's accept/reject rule leaves the output distribution the
// target's. Checked on the bundled model: the second generated token (the first one a verify
// pass decides) is drawn 2000 times with fixed seeds, with prompt lookup (point-mass guesses)
// and with a Q8_0 draft model (its own distribution q, so the residual max(0, p - q) is
// exercised), and its counts are tested against the exact marginal sum_t1 p(t1) p(t2 | t1),
// computed from the target's logits (a Pearson chi-square test; bins with fewer than 5 expected
// draws are pooled). The critical value is the chi-square quantile at 1 - 0.001: a correct
// implementation fails with probability 0.001 per check for a random seed set, and since the
// seeds are fixed the outcome is fixed too. An incorrect rule (accepting every guess, or
// drawing the correction from p instead of the residual) is off by far more.
#include "spec_support.hpp"

#include "model_data.hpp"
#include "runtime/lookup_draft.hpp"
#include "runtime/model_draft.hpp"
#include "runtime/token_sampler.hpp"

#include "env.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <map>

namespace edge_rt::test {
namespace {

constexpr std::size_t kDraws = 2000;

runtime::SamplerConfig sampling(std::uint64_t seed)
{
    runtime::SamplerConfig s;
    s.temperature = 0.6f; // peaked enough that lookup's guesses are often accepted
    s.top_k = 0;
    s.top_p = 1.0f;
    s.seed = seed;
    return s;
}

// p(t2) = sum over t1 of p(t1 | prompt) p(t2 | prompt, t1), from the target's own logits.
std::vector<double> exact_second_token(runtime::Engine& engine, const std::vector<std::int32_t>& prompt)
{
    const std::size_t n_vocab = engine.config().n_vocab;
    runtime::Conversation conv(engine);
    runtime::TokenSampler sampler(sampling(0));
    std::vector<std::pair<std::int32_t, double>> first, second;
    const auto logits = conv.forward(prompt);
    sampler.distribution(logits, prompt, first);
    std::vector<double> marginal(n_vocab, 0.0);
    for (const auto& [t1, p1] : first) {
        conv.rewind(prompt.size());
        const auto next = conv.forward(std::vector<std::int32_t>{t1});
        auto history = prompt;
        history.push_back(t1);
        sampler.distribution(next, history, second);
        for (const auto& [t2, p2] : second)
            marginal[static_cast<std::size_t>(t2)] += p1 * p2;
    }
    return marginal;
}

// Wilson-Hilferty: the chi-square quantile for `df` degrees of freedom at the normal quantile z.
double chi2_quantile(double df, double z)
{
    const double a = 2.0 / (9.0 * df);
    return df * std::pow(1.0 - a + z * std::sqrt(a), 3.0);
}

struct Fit {
    double chi2 = 0, critical = 0;
    std::size_t bins = 0;
};

Fit chi_square(const std::vector<std::size_t>& counts, const std::vector<double>& p, std::size_t n)
{
    Fit f;
    double pooled_p = 0;
    std::size_t pooled_count = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double expected = p[i] * static_cast<double>(n);
        if (expected < 5.0) {
            pooled_p += p[i];
            pooled_count += counts[i];
            continue;
        }
        f.chi2 += std::pow(static_cast<double>(counts[i]) - expected, 2) / expected;
        ++f.bins;
    }
    const double pooled_expected = pooled_p * static_cast<double>(n);
    if (pooled_expected > 0) {
        f.chi2 += std::pow(static_cast<double>(pooled_count) - pooled_expected, 2) / pooled_expected;
        ++f.bins;
    }
    f.critical = chi2_quantile(static_cast<double>(f.bins - 1), 3.0902); // P(Z > 3.0902) = 0.001
    return f;
}

class SpecSampling : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (kernels_unavailable())
            GTEST_SKIP() << "EDGE_RT_KERNELS names a kernel variant this CPU lacks";
    }

    // Draws the second token kDraws times; `make` gives each generation its draft.
    template <typename MakeDraft>
    void check(runtime::Engine& engine, MakeDraft make)
    {
        // The story, then its first half again: the likely next tokens are in the first copy,
        // where lookup finds them.
        auto prompt = story_prompt(20);
        prompt.insert(prompt.end(), prompt.begin() + 1, prompt.begin() + 11);
        const auto exact = exact_second_token(engine, prompt);
        std::vector<std::size_t> counts(exact.size(), 0);
        std::size_t drafted = 0, accepted = 0;
        for (std::size_t seed = 1; seed <= kDraws; ++seed) {
            auto draft = make(seed);
            const auto g = generate_with(engine, prompt, 2, sampling(seed), draft.get(), 4);
            ASSERT_EQ(g.generated.size(), 2u);
            ++counts[static_cast<std::size_t>(g.generated[1])];
            drafted += g.stats.speculation.drafted;
            accepted += g.stats.speculation.accepted;
        }
        // Both branches of the rule ran many times, or the test says little.
        EXPECT_GT(accepted, kDraws / 50) << "guesses accepted";
        EXPECT_GT(drafted - accepted, kDraws / 50) << "guesses rejected";
        const auto fit = chi_square(counts, exact, kDraws);
        EXPECT_LT(fit.chi2, fit.critical) << fit.bins << " bins; drafted " << drafted << ", accepted " << accepted;
        RecordProperty("chi2", std::to_string(fit.chi2));
    }
};

TEST_F(SpecSampling, LookupKeepsTheDistribution)
{
    runtime::Engine engine(bundled_model(), spec_options());
    check(engine, [](std::size_t) { return std::make_unique<runtime::LookupDraft>(3); });
}

TEST_F(SpecSampling, DraftModelKeepsTheDistribution)
{
    runtime::Engine engine(bundled_model(), spec_options());
    DraftEngine draft_engine(engine, test_data("stories260K/variants/stories260K-Q8_0.gguf"));
    runtime::Conversation draft_conv(draft_engine.engine());
    // The draft samples hotter than the target: q differs from p, so guesses are often rejected
    // and the residual distribution does real work. The rule holds for any q.
    check(engine, [&](std::size_t seed) {
        auto hot = sampling(seed);
        hot.temperature = 1.5f;
        return std::make_unique<runtime::ModelDraft>(draft_conv, hot);
    });
}

// The test can fail: plain sampling's second token against a different prompt's marginal.
TEST_F(SpecSampling, TheTestRejectsAWrongDistribution)
{
    runtime::Engine engine(bundled_model(), spec_options());
    const auto other = exact_second_token(engine, story_prompt(21));
    const auto prompt = story_prompt(20);
    std::vector<std::size_t> counts(other.size(), 0);
    for (std::size_t seed = 1; seed <= kDraws; ++seed)
        ++counts[static_cast<std::size_t>(generate_with(engine, prompt, 2, sampling(seed)).generated[1])];
    const auto fit = chi_square(counts, other, kDraws);
    EXPECT_GT(fit.chi2, fit.critical);
}

} // namespace
} // namespace edge_rt::test
