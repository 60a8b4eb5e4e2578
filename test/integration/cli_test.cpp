// The CLI end to end, as a user runs it: exit codes, stdout, and one-line errors on stderr.
#include "env.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <regex>
#include <sstream>

using namespace edge_rt::test;
using ::testing::HasSubstr;

namespace {
std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// True when some whole line of `text` matches `pattern` (ECMAScript syntax).
bool has_line(const std::string& text, const std::string& pattern)
{
    const std::regex re(pattern);
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (std::regex_match(line, re))
            return true;
    return false;
}
} // namespace

TEST(Cli, Version)
{
    const auto r = run_cli({"--version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has_line(r.out, R"(edge-rt-async [0-9]+\.[0-9]+\.[0-9]+)")) << r.out;
    EXPECT_TRUE(has_line(r.out, R"(.*io_uring: (built in|not built))")) << r.out;
}

TEST(Cli, HelpListsCommands)
{
    const auto r = run_cli({"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Usage: edge-rt-async"));
    EXPECT_THAT(r.out, HasSubstr("inspect"));
    const auto sub = run_cli({"inspect", "--help"});
    EXPECT_EQ(sub.exit_code, 0) << sub.err;
    EXPECT_THAT(sub.out, HasSubstr("--model"));
}

TEST(Cli, InspectsTheBundledModelByDefault)
{
    const auto r = run_cli({"inspect"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("GGUF v3"));
    EXPECT_THAT(r.out, HasSubstr("architecture llama"));
    EXPECT_TRUE(has_line(r.out, R"( +layers +5)")) << r.out;
    EXPECT_TRUE(has_line(r.out, R"( +heads / kv heads +8 / 4)")) << r.out;
    EXPECT_TRUE(has_line(r.out, R"( +tensors +48)")) << r.out;
    EXPECT_TRUE(has_line(r.out, R"( +blk\.4 +9 +181760 +F32 177\.50 KiB)")) << r.out;
    EXPECT_THAT(r.out, HasSubstr("weight bytes       1171200"));
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, ExplicitModelMatchesDefault)
{
    const auto a = run_cli({"inspect"});
    const auto b = run_cli({"inspect", "-m", bundled_model().string()});
    EXPECT_EQ(b.exit_code, 0);
    EXPECT_EQ(a.out, b.out);
}

TEST(Cli, MissingModelIsOneLineErrorAndNoOutput)
{
    TempDir dir;
    const auto path = (dir.path() / "nope.gguf").string();
    const auto r = run_cli({"inspect", "-m", path});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(path));
    EXPECT_THAT(r.err, HasSubstr("No such file"));
}

TEST(Cli, TruncatedModelIsOneLineError)
{
    TempDir dir;
    auto bytes = read_file(bundled_model());
    bytes.resize(bytes.size() / 2);
    const auto path = dir.write("half.gguf", bytes).string();
    const auto r = run_cli({"inspect", "-m", path});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(path));
    EXPECT_THAT(r.err, HasSubstr("truncated"));
}

TEST(Cli, UsageErrorsExitWithTwo)
{
    const auto unknown = run_cli({"frobnicate"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'"));
    const auto bad_opt = run_cli({"inspect", "--no-such-flag"});
    EXPECT_EQ(bad_opt.exit_code, 2);
    EXPECT_THAT(bad_opt.err, HasSubstr("no-such-flag"));
    const auto nothing = run_cli({});
    EXPECT_EQ(nothing.exit_code, 2);
    EXPECT_THAT(nothing.out, HasSubstr("Usage"));
}
