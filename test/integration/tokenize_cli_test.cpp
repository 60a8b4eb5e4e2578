// `edge-rt-async tokenize` end to end: output format, BOS handling, JSON, tokenizer files, errors.
#include "env.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace edge_rt::test;
using ::testing::HasSubstr;

namespace {

std::filesystem::path data(const std::string& rel)
{
    return std::filesystem::path(required_env("EDGE_RT_TEST_DATA")) / rel;
}

std::span<const std::uint8_t> as_bytes(const std::string& s)
{
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A failed run: the exit code, nothing on stdout, one line on stderr that says `says`.
void expect_error(const ProcessResult& r, int exit_code, const std::string& says)
{
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(says));
}

} // namespace

// stories260K's prompt ids are known from llama2.c: [1, 403, 407, 261, 378].
TEST(TokenizeCli, BundledModelByDefault)
{
    const auto r = run_cli({"tokenize", "Once upon a time"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1 403 407 261 378\n");
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(run_cli({"tokenize", "-m", bundled_model().string(), "Once upon a time"}).out, r.out);
    EXPECT_EQ(run_cli({"tokenize", "-p", "Once upon a time"}).out, r.out);
}

TEST(TokenizeCli, NoBos)
{
    const auto r = run_cli({"tokenize", "--no-bos", "Once upon a time"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "403 407 261 378\n");
}

TEST(TokenizeCli, JsonHasIdsAndPieces)
{
    const auto r = run_cli({"tokenize", "--json", "Once upon a time"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["ids"], nlohmann::json({1, 403, 407, 261, 378}));
    EXPECT_EQ(doc["pieces"], nlohmann::json({"<s>", "\xE2\x96\x81Once", "\xE2\x96\x81upon", "\xE2\x96\x81" "a",
                                             "\xE2\x96\x81time"}));
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line";
}

// gpt-3-encoder's reference: "Hello world" -> [15496, 995]; GPT-2 adds no BOS by default.
TEST(TokenizeCli, Gpt2TokenizerFolder)
{
    const auto folder = data("gpt2-tokenizer").string();
    const auto r = run_cli({"tokenize", "--tokenizer", folder, "Hello world"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "15496 995\n");
    const auto j = run_cli({"tokenize", "--tokenizer", folder, "--json", "Hello world"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    EXPECT_EQ(nlohmann::json::parse(j.out),
              nlohmann::json::parse(R"({"ids": [15496, 995], "pieces": ["Hello", "\u0120world"]})"));
}

TEST(TokenizeCli, VocabOnlyGguf)
{
    const auto r = run_cli({"tokenize", "--tokenizer", data("llama-spm-vocab/ggml-vocab-llama-spm.gguf").string(),
                            "Hello world"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1 15043 3186\n");
}

// -f takes the bytes as they are: the trailing newline is text too ("a\n" -> 1 263 13 in the
// llama reference).
TEST(TokenizeCli, TextFromStdinAndFile)
{
    const auto gguf = data("llama-spm-vocab/ggml-vocab-llama-spm.gguf").string();
    const auto in = run_cli({"tokenize", "--tokenizer", gguf, "-f", "-"}, "a\n");
    EXPECT_EQ(in.exit_code, 0) << in.err;
    EXPECT_EQ(in.out, "1 263 13\n");
    const TempDir dir;
    const auto file = dir.write("prompt.txt", as_bytes("Once upon a time")).string();
    const auto f = run_cli({"tokenize", "-f", file});
    EXPECT_EQ(f.exit_code, 0) << f.err;
    EXPECT_EQ(f.out, "1 403 407 261 378\n");
}

TEST(TokenizeCli, MissingFilesExitWithOne)
{
    const TempDir dir;
    const auto nope = (dir.path() / "nope").string();
    expect_error(run_cli({"tokenize", "--tokenizer", nope, "x"}), 1, nope);
    expect_error(run_cli({"tokenize", "-m", nope + ".gguf", "x"}), 1, nope);
    expect_error(run_cli({"tokenize", "-f", nope + ".txt"}), 1, nope);
}

TEST(TokenizeCli, BrokenTokenizerFileExitsWithOne)
{
    const TempDir dir;
    const auto bad = dir.write("tokenizer.json", as_bytes("{\"model\": ")).string();
    const auto r = run_cli({"tokenize", "--tokenizer", bad, "x"});
    expect_error(r, 1, bad);
    EXPECT_THAT(r.err, HasSubstr("not valid JSON"));
}

TEST(TokenizeCli, UsageErrorsExitWithTwo)
{
    expect_error(run_cli({"tokenize"}), 2, "give the text once");
    expect_error(run_cli({"tokenize", "one", "two"}), 2, "give the text once");
    expect_error(run_cli({"tokenize", "-f", "-", "text"}), 2, "give the text once");
    expect_error(run_cli({"tokenize", "-m", "a.gguf", "--tokenizer", "b.gguf", "x"}), 2, "not both");
    expect_error(run_cli({"tokenize", "--no-such-flag", "x"}), 2, "no-such-flag");
}

TEST(TokenizeCli, Help)
{
    const auto r = run_cli({"tokenize", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* option : {"--model", "--tokenizer", "--no-bos", "--json", "--file"})
        EXPECT_THAT(r.out, HasSubstr(option));
    EXPECT_THAT(run_cli({"--help"}).out, HasSubstr("tokenize"));
}
