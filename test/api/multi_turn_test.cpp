// Multi-turn sessions (GenerateRequest::keep_context) and the public ChatTemplate.
// References: llama2.c's greedy continuation of stories260K from BOS (a second turn that
// continues the first must go on with the same ids), and a fresh session fed the whole history
// at once (the cached conversation must predict exactly what re-reading it predicts).
#include "edge_rt/chat.hpp"
#include "edge_rt/runtime.hpp"

#include "env.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

namespace edge_rt {
namespace {

std::vector<std::int32_t> reference_greedy_ids(std::size_t n)
{
    const auto data = test::required_env("EDGE_RT_TEST_DATA");
    std::ifstream in(std::filesystem::path(data) / "stories260K/reference/greedy_bos_200steps.ids");
    std::vector<std::int32_t> ids;
    for (std::int32_t id; ids.size() < n && in >> id;)
        ids.push_back(id);
    EXPECT_EQ(ids.size(), n) << "reference ids missing";
    return ids;
}

GenerateRequest greedy(std::size_t n, std::string prompt = {}, bool keep = false)
{
    GenerateRequest r;
    r.prompt = std::move(prompt);
    r.max_tokens = n;
    r.keep_context = keep;
    r.sampling.temperature = 0.0f;
    return r;
}

struct Outcome {
    std::error_code ec;
    GenerateResult result;
};

class MultiTurn : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::exception_ptr error;
        async_load(io, test::bundled_model().string(), RuntimeConfig{}, [&](std::exception_ptr e, Model m) {
            error = e;
            model = std::move(m);
        });
        io.run();
        io.restart();
        ASSERT_FALSE(error);
    }
    void TearDown() override
    {
        model = {};
        io.restart();
        io.run();
    }
    Outcome generate(Session& s, GenerateRequest r)
    {
        Outcome o;
        async_generate(s, std::move(r), {}, [&](std::error_code ec, GenerateResult res) { o = {ec, std::move(res)}; });
        io.restart();
        io.run();
        return o;
    }

    asio::io_context io{1};
    Model model;
};

TEST_F(MultiTurn, ASecondTurnContinuesTheCachedConversation)
{
    Session session(model);
    const auto ref = reference_greedy_ids(20);
    const auto t1 = generate(session, greedy(10)); // from BOS
    ASSERT_FALSE(t1.ec) << t1.result.error;
    EXPECT_EQ(t1.result.tokens, std::vector<std::int32_t>(ref.begin(), ref.begin() + 10));
    EXPECT_EQ(session.n_past(), 11u); // BOS + 10 sampled
    EXPECT_EQ(session.n_cached(), 10u); // the last sampled token was never run
    // No new text: the turn prefills only the token the cache lacks, and llama2.c's
    // continuation goes on unchanged.
    const auto t2 = generate(session, greedy(10, {}, true));
    ASSERT_FALSE(t2.ec) << t2.result.error;
    EXPECT_EQ(t2.result.prefill_tokens, 1u);
    EXPECT_TRUE(t2.result.prompt_ids.empty());
    EXPECT_EQ(t2.result.tokens, std::vector<std::int32_t>(ref.begin() + 10, ref.end()));
    EXPECT_EQ(session.n_past(), 21u);
}

TEST_F(MultiTurn, GreedyTurnTwoEqualsAFreshSessionFedTheWholeHistory)
{
    Session session(model);
    const auto t1 = generate(session, greedy(12, "Once upon a time"));
    ASSERT_FALSE(t1.ec) << t1.result.error;
    const auto t2 = generate(session, greedy(16, " The dog said", true));
    ASSERT_FALSE(t2.ec) << t2.result.error;
    // The prefill is the new text's tokens (no BOS inside a conversation) plus the one
    // sampled token the first turn left unrun: never the history again.
    EXPECT_EQ(t2.result.prompt_ids.front() == 1, false) << "BOS added inside a conversation";
    EXPECT_EQ(t2.result.prefill_tokens, t2.result.prompt_ids.size() + 1);
    EXPECT_EQ(session.n_past(),
              t1.result.prompt_ids.size() + t1.result.tokens.size() + t2.result.prompt_ids.size() +
                  t2.result.tokens.size());

    std::vector<std::int32_t> history = t1.result.prompt_ids;
    history.insert(history.end(), t1.result.tokens.begin(), t1.result.tokens.end());
    history.insert(history.end(), t2.result.prompt_ids.begin(), t2.result.prompt_ids.end());
    Session fresh(model);
    GenerateRequest whole = greedy(16);
    whole.prompt_ids = history;
    const auto f = generate(fresh, whole);
    ASSERT_FALSE(f.ec) << f.result.error;
    EXPECT_EQ(f.result.prefill_tokens, history.size());
    EXPECT_EQ(t2.result.tokens, f.result.tokens);
}

TEST_F(MultiTurn, WithoutKeepContextEachGenerationStartsOver)
{
    Session session(model);
    const auto a = generate(session, greedy(8, "Once upon a time"));
    const auto b = generate(session, greedy(8, "Once upon a time"));
    EXPECT_EQ(a.result.tokens, b.result.tokens);
    EXPECT_EQ(b.result.prefill_tokens, b.result.prompt_ids.size());
    EXPECT_EQ(session.n_past(), b.result.prompt_ids.size() + 8);
}

TEST_F(MultiTurn, ATurnThatDoesNotFitFailsClearlyAndLeavesTheSessionAsItWas)
{
    Session session(model, {.ctx_size = 32});
    ASSERT_FALSE(generate(session, greedy(20)).ec);
    const std::size_t past = session.n_past();
    const auto over = generate(session, greedy(4, "Once upon a time there was a big dog who liked to play in the park with his friends", true));
    EXPECT_EQ(over.ec, GenerateErrc::ContextFull);
    EXPECT_NE(over.result.error.find("context is full"), std::string::npos) << over.result.error;
    EXPECT_NE(over.result.error.find("reset"), std::string::npos) << over.result.error;
    EXPECT_EQ(session.n_past(), past);
    // After reset() the session starts over and the same text fits.
    session.reset();
    EXPECT_EQ(session.n_past(), 0u);
    const auto again = generate(session, greedy(4, "Once upon a time there was a big dog who liked to play in the park with his friends", true));
    EXPECT_FALSE(again.ec) << again.result.error;
    EXPECT_EQ(again.result.prompt_ids.front(), 1); // a fresh conversation starts with BOS
}

TEST_F(MultiTurn, StopIdsEndTheTurnLikeEos)
{
    Session session(model);
    const auto ref = reference_greedy_ids(20);
    GenerateRequest r = greedy(20);
    r.stop_ids = {ref[5]};
    const auto first = static_cast<std::size_t>(std::find(ref.begin(), ref.end(), ref[5]) - ref.begin());
    const auto o = generate(session, r);
    ASSERT_FALSE(o.ec);
    EXPECT_EQ(o.result.stop, StopReason::Eos);
    EXPECT_EQ(o.result.tokens, std::vector<std::int32_t>(ref.begin(), ref.begin() + static_cast<long>(first) + 1));
}

TEST_F(MultiTurn, ParseSpecialTurnsWrittenSpecialTokensIntoTheirIds)
{
    // stories260K's GGUF: bos 1, eos 2 (tokenizer.ggml.*_token_id).
    Session session(model);
    GenerateRequest r = greedy(1, "</s>");
    r.parse_special = true;
    EXPECT_EQ(generate(session, r).result.prompt_ids, (std::vector<std::int32_t>{1, 2}));
    r.parse_special = false;
    const auto plain = generate(session, r).result.prompt_ids;
    EXPECT_GT(plain.size(), 2u);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), 2), 0);
}

TEST_F(MultiTurn, ChatTemplateByNameRendersAndNamesTheUnknown)
{
    const auto t = ChatTemplate::for_model(model, "chatml");
    EXPECT_EQ(t.name(), "chatml");
    const std::vector<ChatMessage> msgs{{"system", "Be brief."}, {"user", "Hi"}};
    EXPECT_EQ(t.render(msgs, true),
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(t.end_of_turn(), "<|im_end|>");
    // <|im_end|> is no token of stories260K's vocabulary: only its EOS (2) ends a turn.
    EXPECT_EQ(t.end_of_turn_ids(), (std::vector<std::int32_t>{2}));
    EXPECT_FALSE(t.end_of_turn_id());
    const auto llama2 = ChatTemplate::for_model(model, "llama2"); // ends turns with EOS: "</s>", id 2
    EXPECT_EQ(llama2.end_of_turn(), "</s>");
    EXPECT_EQ(llama2.end_of_turn_id(), 2);
    EXPECT_EQ(llama2.end_of_turn_ids(), (std::vector<std::int32_t>{2}));
    EXPECT_EQ(t.bos_text(), "<s>");
    try {
        (void)ChatTemplate::for_model(model, "nope");
        ADD_FAILURE() << "no error for an unknown template";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("'nope' is unknown"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("chatml"), std::string::npos) << e.what();
    }
    try {
        (void)ChatTemplate::for_model(model); // stories260K ships no chat template
        ADD_FAILURE() << "no error for a model without a template";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("has no chat template"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)t.render(std::vector<ChatMessage>{{"wizard", "x"}}, false), ConfigError);
}

TEST_F(MultiTurn, DefaultThreadsAreTheCpusThisProcessMayUse)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
    EXPECT_EQ(default_threads(), static_cast<unsigned>(CPU_COUNT(&set)));
    EXPECT_EQ(RuntimeConfig{}.threads, 0u); // 0 = default_threads()
    EXPECT_EQ(model.info().threads, default_threads());
}

} // namespace
} // namespace edge_rt
