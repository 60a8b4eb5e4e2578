// Speculative decoding keeps greedy output exact: with prompt lookup and with a draft model,
// resident and streamed, the tokens equal plain greedy decoding's one for one (the kernel
// variant comes from EDGE_RT_KERNELS: meson runs this binary once per variant). Also: the KV
// rollback, cancellation in the middle of a verify pass, and the budget of the k+1 rows.
#include "spec_support.hpp"

#include "env.hpp"
#include "model_data.hpp"
#include "runtime/lookup_draft.hpp"
#include "runtime/model_draft.hpp"
#include "runtime/replay_draft.hpp"

#include <asio/post.hpp>
#include <cmath>
#include <gtest/gtest.h>

namespace edge_rt::test {
namespace {

struct Case {
    const char* name;
    std::filesystem::path target, draft; // draft: a model of the same vocabulary
    bool streamed;
};

std::filesystem::path q8_variant() { return test_data("stories260K/variants/stories260K-Q8_0.gguf"); }

std::vector<Case> cases()
{
    std::vector<Case> c;
    for (const bool streamed : {false, true}) {
        c.push_back({streamed ? "bundled_streamed" : "bundled_resident", bundled_model(), q8_variant(), streamed});
        c.push_back({streamed ? "q8_streamed" : "q8_resident", q8_variant(), bundled_model(), streamed});
    }
    return c;
}

class SpecGreedy : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override
    {
        if (kernels_unavailable())
            GTEST_SKIP() << "EDGE_RT_KERNELS names a kernel variant this CPU lacks";
        const auto& c = GetParam();
        engine = std::make_unique<runtime::Engine>(c.target, spec_options(c.streamed ? streaming_budget(c.target) : 0));
        ASSERT_EQ(engine->plan().fully_resident(), !c.streamed);
        plain = generate_with(*engine, prompt, kTokens, greedy());
        ASSERT_EQ(plain.generated.size(), kTokens);
    }

    static constexpr std::size_t kTokens = 120;
    const std::vector<std::int32_t> prompt = story_prompt(12);
    std::unique_ptr<runtime::Engine> engine;
    runtime::Generation plain;
};

TEST_P(SpecGreedy, LookupEqualsPlain)
{
    for (const std::size_t k : {1u, 3u, 8u}) {
        runtime::LookupDraft draft(3);
        const auto spec = generate_with(*engine, prompt, kTokens, greedy(), &draft, k);
        EXPECT_EQ(spec.generated, plain.generated) << "k = " << k;
        const auto& s = spec.stats.speculation;
        EXPECT_GT(s.accepted, 0u) << "lookup never guessed right: the comparison proves little";
        EXPECT_LT(s.passes, kTokens - 1) << "accepted guesses must save passes";
    }
}

TEST_P(SpecGreedy, DraftModelEqualsPlain)
{
    DraftEngine draft_engine(*engine, GetParam().draft);
    for (const std::size_t k : {2u, 8u}) {
        runtime::Conversation draft_conv(draft_engine.engine());
        runtime::ModelDraft draft(draft_conv, greedy());
        const auto spec = generate_with(*engine, prompt, kTokens, greedy(), &draft, k);
        EXPECT_EQ(spec.generated, plain.generated) << "k = " << k;
        const auto& s = spec.stats.speculation;
        // Same weights at another precision: nearly every guess holds.
        EXPECT_GT(s.accepted * 10, s.drafted * 8) << s.accepted << " of " << s.drafted;
        EXPECT_LE(s.passes * 2, kTokens) << "k = " << k;
    }
}

INSTANTIATE_TEST_SUITE_P(Models, SpecGreedy, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// The KV rollback: after a pass over [a, b, c] keeps only a, the next logits are a fresh run's
// on the kept sequence.
TEST(SpecRollback, NextLogitsEqualFreshRun)
{
    for (const bool streamed : {false, true}) {
        runtime::Engine engine(bundled_model(), spec_options(streamed ? streaming_budget(bundled_model()) : 0));
        const auto prompt = story_prompt(10);
        auto seq = prompt;
        seq.push_back(300);
        seq.push_back(410);
        std::vector<float> rolled;
        {
            runtime::Conversation conv(engine); // the budget plans one conversation at a time
            conv.forward(prompt);
            const std::vector<std::int32_t> guessed{300, 301, 302, 303};
            conv.forward(guessed, true);
            conv.rewind(prompt.size() + 1); // keep 300, reject the rest
            const std::vector<std::int32_t> next{410};
            const auto got = conv.forward(next);
            rolled.assign(got.begin(), got.end());
            EXPECT_EQ(conv.position(), seq.size());
            EXPECT_THROW(conv.rewind(seq.size() + 1), std::logic_error);
        }
        runtime::Conversation fresh(engine);
        const auto want = fresh.forward(seq);
        ASSERT_EQ(rolled.size(), want.size());
        float worst = 0;
        for (std::size_t i = 0; i < want.size(); ++i)
            worst = std::max(worst, std::abs(rolled[i] - want[i]));
        EXPECT_LT(worst, 1e-4f) << (streamed ? "streamed" : "resident");
    }
}

// A draft that stops the generation once the target's pass over its guesses is under way.
class StopInVerify final : public runtime::Draft {
public:
    asio::awaitable<void> propose(std::span<const std::int32_t> context, std::size_t k, runtime::Proposal& out,
                                  exec::StopSource* stop) override
    {
        co_await lookup.propose(context, k, out, stop);
        armed = !out.tokens.empty();
        proposals += armed ? 1 : 0;
    }
    const char* name() const override { return "stop-in-verify"; }

    runtime::LookupDraft lookup{3};
    std::atomic<bool> armed{false};
    int proposals = 0;
};

TEST(SpecCancel, InTheMiddleOfAVerifyPass)
{
    StopInVerify draft;
    exec::StopSource stop;
    std::atomic<bool> stopped_in_verify{false};
    runtime::Engine* running = nullptr;
    auto o = spec_options();
    o.on_group = [&](std::size_t group) {
        if (group == 2 && draft.armed.exchange(false) && draft.proposals == 3) {
            stopped_in_verify = true;
            // A stop is requested on the io_context's thread (it wakes the step's waiter);
            // this runs on a compute thread, while the pass waits for this group.
            asio::post(running->executor().io(), [&] { stop.request(); });
        }
    };
    runtime::Engine engine(bundled_model(), o);
    running = &engine;
    const auto prompt = story_prompt(12);
    const auto plain = generate_with(engine, prompt, 80, greedy());

    runtime::Conversation conv(engine);
    runtime::GenerateOptions g;
    g.max_tokens = 80;
    g.sampler = greedy();
    g.stop = &stop;
    g.speculation = {&draft, 8};
    const auto cut = runtime::generate(conv, prompt, g);
    ASSERT_TRUE(stopped_in_verify.load()) << "the third verify pass never ran";
    EXPECT_EQ(cut.stop, runtime::Ending::Cancelled);
    ASSERT_LT(cut.generated.size(), plain.generated.size());
    EXPECT_TRUE(std::equal(cut.generated.begin(), cut.generated.end(), plain.generated.begin()))
        << "what was reported before the stop is plain greedy's beginning";
    // The engine and the conversation stay usable.
    conv.reset();
    runtime::LookupDraft lookup(3);
    g.stop = nullptr;
    g.speculation = {&lookup, 8};
    EXPECT_EQ(runtime::generate(conv, prompt, g).generated, plain.generated);
}

// The verify pass's k+1 rows of logits are charged to the budget: planned for, they fit; not
// planned for in a budget without room, the generation is refused before it starts.
TEST(SpecBudget, VerifyRowsAreCharged)
{
    const auto model = bundled_model();
    auto one_row = spec_options();
    one_row.logit_rows = 1;
    const std::uint64_t tight = runtime::Engine(model, one_row).plan().predicted_peak;
    one_row.budget = tight;
    runtime::Engine engine(model, one_row);
    runtime::LookupDraft lookup(3);
    try {
        generate_with(engine, story_prompt(12), 16, greedy(), &lookup, 8);
        ADD_FAILURE() << "k = 8 needs 8 more rows of logits than the budget has room for";
    } catch (const BudgetError& e) {
        EXPECT_NE(std::string(e.what()).find("logits"), std::string::npos) << e.what();
    }

    auto nine_rows = spec_options();
    const std::uint64_t planned = runtime::Engine(model, nine_rows).plan().predicted_peak;
    EXPECT_EQ(planned - tight, 8u * engine.config().n_vocab * sizeof(float)) << "the plan reserves k more rows";
    nine_rows.budget = planned;
    runtime::Engine fits(model, nine_rows);
    runtime::Conversation conv(fits);
    const std::size_t before = conv.bytes();
    runtime::GenerateOptions g;
    g.max_tokens = 60;
    g.sampler = greedy();
    g.speculation = {&lookup, 8};
    const auto out = runtime::generate(conv, story_prompt(12), g);
    EXPECT_GT(out.stats.speculation.accepted, 0u);
    EXPECT_EQ(conv.bytes() - before, 8u * fits.config().n_vocab * sizeof(float));
    EXPECT_LE(fits.budget().peak(), fits.budget().limit());
}


// The replay draft (a measuring device for benchmarks): the target's own greedy continuation,
// each guess right with the set probability. The output is plain greedy's whatever the
// acceptance, and the accepted share of its guesses is that probability (it stops guessing after
// a wrong one, so every guess before it is accepted).
TEST(SpecReplay, OutputIsPlainAndAcceptanceIsTheSetProbability)
{
    runtime::Engine engine(bundled_model(), spec_options());
    const auto prompt = story_prompt(4);
    const auto plain = generate_with(engine, prompt, 150, greedy());
    for (const double p : {1.0, 0.8, 0.5, 0.0}) {
        SCOPED_TRACE(p);
        runtime::ReplayDraft draft(plain.generated, p, 7, engine.config().n_vocab);
        const auto spec = generate_with(engine, prompt, 150, greedy(), &draft, 6);
        EXPECT_EQ(spec.generated, plain.generated);
        const auto& s = spec.stats.speculation;
        const double rate = s.drafted ? double(s.accepted) / double(s.drafted) : 0.0;
        if (p == 1.0 || p == 0.0)
            EXPECT_EQ(rate, p);
        else // about 100+ guesses: a binomial share within 4 standard deviations
            EXPECT_NEAR(rate, p, 4 * std::sqrt(p * (1 - p) / double(s.drafted)));
    }
}

} // namespace
} // namespace edge_rt::test
