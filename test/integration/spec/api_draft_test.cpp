// The draft model through the public API: its bytes are a share of the one budget (the target
// plans with the rest, and what both charge stays within it), its vocabulary must match the
// target's, and greedy speculative output equals plain greedy output.
#include "edge_rt/runtime.hpp"

#include "env.hpp"
#include "model_data.hpp"
#include "streaming/streaming_support.hpp"

#include <gtest/gtest.h>

namespace edge_rt::test {
namespace {

Model load_blocking(asio::io_context& io, const std::filesystem::path& path, RuntimeConfig config)
{
    Model model;
    std::exception_ptr error;
    async_load(io, path.string(), config, [&](std::exception_ptr e, Model m) {
        error = e;
        model = std::move(m);
    });
    io.run();
    io.restart();
    if (error)
        std::rethrow_exception(error);
    return model;
}

GenerateResult generate_blocking(asio::io_context& io, Session& session, GenerateRequest request)
{
    GenerateResult result;
    std::error_code ec;
    async_generate(session, std::move(request), {}, [&](std::error_code e, GenerateResult r) {
        ec = e;
        result = std::move(r);
    });
    io.run();
    io.restart();
    EXPECT_FALSE(ec) << ec.message() << ": " << result.error;
    return result;
}

GenerateRequest greedy_request(DraftKind draft)
{
    GenerateRequest r;
    r.prompt_ids = {1, 403, 407, 261, 378};
    r.max_tokens = 60;
    r.ignore_eos = true;
    r.sampling.temperature = 0;
    r.speculation.draft = draft;
    return r;
}

class ApiDraft : public ::testing::Test {
protected:
    void TearDown() override
    {
        io.restart();
        io.run();
    }
    asio::io_context io;
};

TEST_F(ApiDraft, SharesTheBudgetAndKeepsGreedyOutput)
{
    const auto target = test_data("stories260K/variants/stories260K-Q8_0.gguf");
    RuntimeConfig config;
    config.ctx_size = 128;
    config.budget_bytes = 4u << 20; // the Q8_0 target streams part of its weights beside the draft
    config.draft_model_path = bundled_model().string();
    Model model = load_blocking(io, target, config);
    const auto m = model.metrics();
    EXPECT_EQ(m.budget_bytes, config.budget_bytes) << "target and draft together: the one budget";
    EXPECT_GT(m.draft_budget_bytes, 1'000'000u) << "the F32 draft's weights alone are 1.1 MB";
    Session session(model);
    const auto spec = generate_blocking(io, session, greedy_request(DraftKind::Model));
    EXPECT_EQ(spec.speculation.draft, "draft-model");
    EXPECT_GT(spec.speculation.accepted_tokens, spec.speculation.draft_tokens / 2);
    EXPECT_GT(spec.speculation.tokens_per_pass(), 1.5);
    const auto after = model.metrics();
    EXPECT_LE(after.budget_peak_bytes, config.budget_bytes);
    const auto plain = generate_blocking(io, session, greedy_request(DraftKind::None));
    EXPECT_EQ(spec.tokens, plain.tokens);
    EXPECT_EQ(plain.speculation.draft_tokens, 0u);
    EXPECT_EQ(plain.speculation.tokens_per_pass(), 1.0);
}

// A budget the draft fits in but that leaves the target below its minimum: the error says
// where the rest of the budget went, not only what was left.
TEST_F(ApiDraft, ABudgetTooSmallForBothNamesTheDraftsShare)
{
    const auto target = test_data("stories260K/variants/stories260K-Q8_0.gguf");
    RuntimeConfig config;
    config.ctx_size = 128;
    config.budget_bytes = 2'000'000; // the F32 draft's share is about 1.9 MB
    config.draft_model_path = bundled_model().string();
    const auto refusal = [&] {
        try {
            load_blocking(io, target, config);
        } catch (const BudgetError& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    const std::string both = refusal();
    EXPECT_NE(both.find("below this model's minimum"), std::string::npos) << both;
    EXPECT_NE(both.find("the budget of 2000000 bytes"), std::string::npos) << both;
    EXPECT_NE(both.find(config.draft_model_path), std::string::npos) << both;
    config.budget_bytes = 1'000'000; // not even the draft fits
    const std::string draft_only = refusal();
    EXPECT_NE(draft_only.find("the draft model needs"), std::string::npos) << draft_only;
    EXPECT_NE(draft_only.find("1000000"), std::string::npos) << draft_only;
}

TEST_F(ApiDraft, RefusesADifferentVocabulary)
{
    RuntimeConfig config;
    config.ctx_size = 64;
    const auto draft = wide_vocab_model(); // a synthetic Llama with 4096 tokens
    config.draft_model_path = draft.string();
    try {
        load_blocking(io, bundled_model(), config);
        FAIL() << "a draft with another vocabulary was accepted";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(draft.string()), std::string::npos) << what;
        EXPECT_NE(what.find(bundled_model().string()), std::string::npos) << what;
        EXPECT_NE(what.find("vocabulary"), std::string::npos) << what;
    }
}

TEST_F(ApiDraft, ADraftModelRequestNeedsADraftModel)
{
    Model model = load_blocking(io, bundled_model(), {});
    Session session(model);
    GenerateResult result;
    std::error_code ec;
    async_generate(session, greedy_request(DraftKind::Model), {}, [&](std::error_code e, GenerateResult r) {
        ec = e;
        result = std::move(r);
    });
    io.run();
    io.restart();
    EXPECT_EQ(ec, GenerateErrc::BadRequest);
    EXPECT_NE(result.error.find("draft_model_path"), std::string::npos) << result.error;
}

TEST_F(ApiDraft, LookupThroughTheApi)
{
    Model model = load_blocking(io, bundled_model(), {});
    Session session(model);
    const auto plain = generate_blocking(io, session, greedy_request(DraftKind::None));
    const auto spec = generate_blocking(io, session, greedy_request(DraftKind::Lookup));
    EXPECT_EQ(spec.tokens, plain.tokens);
    EXPECT_EQ(spec.speculation.draft, "lookup");
    EXPECT_EQ(spec.speculation.max_draft, 8u) << "resident: no reads to stay under, the full k";
    EXPECT_GT(spec.speculation.accepted_tokens, 0u);
}

} // namespace
} // namespace edge_rt::test
