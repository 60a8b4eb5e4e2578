// `run --lookup / --draft-model / --draft-max` end to end: the same greedy ids as plain `run`,
// the speculation report in --json and on stderr, and the command-line errors.
#include "env.hpp"
#include "model_data.hpp"
#include "streaming/streaming_support.hpp"
#include "process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace edge_rt::test {
namespace {

using nlohmann::json;

json run_json(std::vector<std::string> args)
{
    args.insert(args.begin(), "run");
    for (const char* a : {"-p", "Once upon a time", "-n", "80", "--temp", "0", "--ignore-eos", "--no-monitor", "--json"})
        args.push_back(a);
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
}

TEST(RunSpeculative, LookupAndDraftModelKeepTheGreedyIds)
{
    const auto plain = run_json({});
    const auto lookup = run_json({"--lookup"});
    const auto draft = run_json({"--draft-model", test_data("stories260K/variants/stories260K-Q8_0.gguf").string(),
                                 "--draft-max", "4"});
    EXPECT_EQ(lookup.at("generated_ids"), plain.at("generated_ids"));
    EXPECT_EQ(draft.at("generated_ids"), plain.at("generated_ids"));
    const auto& s = lookup.at("metrics").at("speculation");
    EXPECT_EQ(s.at("draft"), "lookup");
    EXPECT_GT(s.at("accepted_tokens").get<int>(), 0);
    EXPECT_GT(s.at("tokens_per_pass").get<double>(), 1.0);
    const auto& d = draft.at("metrics").at("speculation");
    EXPECT_EQ(d.at("draft"), "draft-model");
    EXPECT_EQ(d.at("max_draft"), 4);
    EXPECT_GT(d.at("draft_budget_bytes").get<std::uint64_t>(), 0u);
    EXPECT_GT(d.at("acceptance_rate").get<double>(), 0.5);
    EXPECT_EQ(plain.at("metrics").at("speculation").at("draft"), "none");
}

TEST(RunSpeculative, ReportsOnStderr)
{
    const auto r = run_cli({"run", "-p", "Once upon a time", "-n", "40", "--temp", "0", "--lookup", "2", "--no-monitor"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("speculation (lookup, k up to 8)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("tokens per pass"), std::string::npos) << r.err;
}

TEST(RunSpeculative, CommandLineErrors)
{
    const auto gpt2 = wide_vocab_model().string(); // a synthetic Llama with 4096 tokens
    const auto mismatch = run_cli({"run", "-p", "Once", "-n", "4", "--draft-model", gpt2});
    EXPECT_EQ(mismatch.exit_code, 2) << mismatch.err; // a ConfigError: the command line was wrong
    EXPECT_NE(mismatch.err.find(gpt2), std::string::npos) << mismatch.err;
    EXPECT_NE(mismatch.err.find("vocabular"), std::string::npos) << mismatch.err;
    EXPECT_EQ(std::count(mismatch.err.begin(), mismatch.err.end(), '\n'), 1) << mismatch.err;

    const auto both = run_cli({"run", "-p", "Once", "--lookup", "--draft-model", gpt2});
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_NE(both.err.find("one of --lookup, --draft-model and --replay-draft"), std::string::npos) << both.err;
    const auto bad_p = run_cli({"run", "-p", "Once", "--replay-draft", "/dev/null", "--replay-acceptance", "1.5"});
    EXPECT_EQ(bad_p.exit_code, 2);
    EXPECT_NE(bad_p.err.find("--replay-draft /dev/null"), std::string::npos) << bad_p.err; // no ids in it
    const auto missing = run_cli({"run", "-p", "Once", "--replay-draft", "/nonexistent/ids.txt"});
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("/nonexistent/ids.txt"), std::string::npos) << missing.err;
    const auto zero = run_cli({"run", "-p", "Once", "--lookup", "0"});
    EXPECT_EQ(zero.exit_code, 2);
    EXPECT_NE(zero.err.find("--lookup"), std::string::npos) << zero.err;
}

} // namespace
} // namespace edge_rt::test
