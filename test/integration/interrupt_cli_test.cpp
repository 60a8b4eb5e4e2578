// Ctrl-C during `run`: generation stops at the next group boundary, what was generated is
// printed whole, the report still comes, and the exit status is 130 (128 + SIGINT).
#include "process.hpp"
#include "temp_dir.hpp"

#include <csignal>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>

using namespace edge_rt::test;
using ::testing::HasSubstr;
using nlohmann::json;

namespace {

// A synthetic model that takes seconds for 2000 tokens (tens of ms per token natively).
class InterruptCli : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir;
        const auto r = run_cli({"gen-model", "--preset", "stories15m", "--layers", "2", "--type", "q8_0", "-o",
                                model().string()});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite()
    {
        delete dir_;
        dir_ = nullptr;
    }
    static std::filesystem::path model() { return dir_->path() / "s15.gguf"; }
    static std::vector<std::string> long_run()
    {
        return {"run", "-m", model().string(), "--prompt-ids", "1", "--temp", "0", "-n", "2000", "--ctx-size", "2048",
                "--no-monitor"};
    }

private:
    static TempDir* dir_;
};
TempDir* InterruptCli::dir_ = nullptr;

std::size_t interrupted_after(const std::string& err)
{
    std::smatch m;
    if (!std::regex_search(err, m, std::regex("interrupted after ([0-9]+) tokens")))
        return SIZE_MAX;
    return std::stoul(m[1]);
}

} // namespace

TEST_F(InterruptCli, TextStopsCleanlyWithTheSummary)
{
    // The synthetic vocabulary's pieces are "t<id>" separated by spaces: three on stdout means
    // generation is well under way.
    const auto r = run_cli_signalled(long_run(), SIGINT, [](const ProcessResult& so_far) {
        return std::count(so_far.out.begin(), so_far.out.end(), 't') >= 3;
    });
    EXPECT_EQ(r.killed_by, 0) << "the signal killed the process instead of stopping it";
    EXPECT_EQ(r.exit_code, 130) << r.err;
    const std::size_t n = interrupted_after(r.err);
    ASSERT_NE(n, SIZE_MAX) << r.err;
    EXPECT_GE(n, 1u);
    EXPECT_LT(n, 2000u);
    EXPECT_THAT(r.err, HasSubstr("decode "));
    EXPECT_THAT(r.err, HasSubstr("peak memory: pool"));
    // No partial output: exactly the text an uninterrupted run of n tokens prints.
    auto args = long_run();
    args[8] = std::to_string(n); // -n
    args.push_back("--json");
    const auto whole = run_cli(args);
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    EXPECT_EQ(r.out, json::parse(whole.out).at("text").get<std::string>() + "\n");
}

TEST_F(InterruptCli, JsonIsStillOneValidObject)
{
    auto args = long_run();
    args.push_back("--json");
    args.push_back("-v"); // the plan on stderr: the engine is loaded and the signal handler set
    const auto r = run_cli_signalled(args, SIGINT, [](const ProcessResult& so_far) {
        return so_far.err.find("predicted peak") != std::string::npos;
    });
    EXPECT_EQ(r.killed_by, 0) << "the signal killed the process instead of stopping it";
    EXPECT_EQ(r.exit_code, 130) << r.err;
    const json j = json::parse(r.out); // throws (fails the test) on partial output
    const auto ids = j.at("generated_ids").get<std::vector<std::int32_t>>();
    EXPECT_LT(ids.size(), 2000u);
    EXPECT_EQ(interrupted_after(r.err), ids.size()) << r.err;
    EXPECT_EQ(j.at("metrics").at("stop_reason"), "interrupted");
    EXPECT_EQ(j.at("metrics").at("generated_tokens"), ids.size());
}
