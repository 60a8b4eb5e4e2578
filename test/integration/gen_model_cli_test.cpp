// `gen-model` end to end: what it writes runs, the same seed gives the same bytes, and every
// bad request fails with one line on stderr and leaves no file behind.
#include "env.hpp"
#include "model/gguf.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace edge_rt;
using namespace edge_rt::test;
using ::testing::HasSubstr;

namespace {

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

} // namespace

TEST(GenModelCli, HelpListsPresetsAndTypes)
{
    const auto r = run_cli({"gen-model", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* word : {"tinyllama-1.1b", "llama-7b", "stories15m", "stories110m", "gpt2-small", "gpt2-medium",
                             "q4_0", "safetensors", "--vocab-from"})
        EXPECT_THAT(r.out, HasSubstr(word));
}

TEST(GenModelCli, WrittenModelRunsWithPromptIds)
{
    TempDir dir;
    const auto path = (dir.path() / "s.gguf").string();
    const auto g = run_cli({"gen-model", "--preset", "stories15m", "--layers", "1", "--type", "q8_0", "--vocab-from",
                            bundled_model().string(), "--seed", "3", "-o", path});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_THAT(g.out, HasSubstr("512 tokens copied"));
    const auto f = model::read_gguf(path);
    EXPECT_EQ(f.get_uint("llama.embedding_length"), 288u);
    EXPECT_EQ(f.get_uint("llama.block_count"), 1u);
    EXPECT_EQ(f.get_uint("llama.feed_forward_length"), 768u);
    EXPECT_EQ(f.get_uint("llama.context_length"), 256u);
    const auto r = run_cli({"run", "-m", path, "--prompt-ids", "1,100,200", "-n", "8", "--temp", "0", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["generated_ids"].size(), 8u);
}

// A preset at its full depth (stories15m: 6 layers) generates varied ids, not one id forever
// (deep models used to; see WeightFiller). The bundled vocabulary keeps the file small; the
// run stops early only at EOS, which the size check would catch as a failure too.
TEST(GenModelCli, FullDepthGreedyTokensAreVaried)
{
    TempDir dir;
    const auto path = (dir.path() / "s.gguf").string();
    const auto g = run_cli({"gen-model", "--preset", "stories15m", "--type", "q8_0", "--vocab-from",
                            bundled_model().string(), "--seed", "0", "-o", path});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_EQ(model::read_gguf(path).get_uint("llama.block_count"), 6u);
    const auto r = run_cli({"run", "-m", path, "--prompt-ids", "1", "-n", "32", "--temp", "0", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto ids = nlohmann::json::parse(r.out)["generated_ids"].get<std::vector<std::int32_t>>();
    ASSERT_EQ(ids.size(), 32u);
    const std::set<std::int32_t> distinct(ids.begin(), ids.end());
    EXPECT_GE(distinct.size(), 12u) << nlohmann::json(ids).dump();
}

TEST(GenModelCli, SameSeedSameBytes)
{
    TempDir dir;
    const auto gen = [&](const char* name, const char* seed) {
        const auto r = run_cli({"gen-model", "--preset", "gpt2-small", "--layers", "1", "--type", "q4_0", "--vocab-from",
                                bundled_model().string(), "--seed", seed, "-o", (dir.path() / name).string()});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return read_file(dir.path() / name);
    };
    const auto a = gen("a.gguf", "1"), b = gen("b.gguf", "1"), c = gen("c.gguf", "2");
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

struct BadCase {
    const char* what;
    std::vector<std::string> args; // "OUT" is replaced by a path inside the test's folder
};

class GenModelBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(GenModelBadInput, OneLineNonZeroExitNoFile)
{
    TempDir dir;
    std::vector<std::string> args{"gen-model"};
    for (const auto& a : GetParam().args)
        args.push_back(a == "OUT" ? (dir.path() / "out.gguf").string()
                       : a == "DEEP" ? (dir.path() / "no" / "such" / "m.gguf").string()
                                     : a);
    const auto r = run_cli(args);
    EXPECT_NE(r.exit_code, 0) << GetParam().what;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr("edge-rt-async: "));
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << GetParam().what << ": something was left behind";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GenModelBadInput,
    ::testing::Values(BadCase{"unknown preset", {"--preset", "llama-70b", "-o", "OUT"}},
                      BadCase{"unknown type", {"--preset", "stories15m", "--type", "q7_k", "-o", "OUT"}},
                      BadCase{"unknown format", {"--preset", "stories15m", "--format", "onnx", "-o", "OUT"}},
                      BadCase{"missing -o", {"--preset", "stories15m"}},
                      BadCase{"missing preset", {"-o", "OUT"}},
                      BadCase{"unwritable path", {"--preset", "stories15m", "--layers", "1", "-o", "DEEP"}},
                      BadCase{"zero layers", {"--preset", "stories15m", "--layers", "0", "-o", "OUT"}},
                      BadCase{"quantised SafeTensors", {"--preset", "stories15m", "--format", "safetensors", "--type", "q8_0", "-o", "OUT"}},
                      BadCase{"missing vocabulary", {"--preset", "stories15m", "--vocab-from", "/no/such/tokenizer", "-o", "OUT"}},
                      BadCase{"unknown flag", {"--preset", "stories15m", "--colour", "-o", "OUT"}}));
