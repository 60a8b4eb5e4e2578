// `run` settings end to end: a config file, the environment and the command line, in that
// order of precedence, observed through the --json metrics; and bad input as one line.
#include "env.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>

using namespace edge_rt::test;
using ::testing::HasSubstr;
using nlohmann::json;

namespace {

// Sets an environment variable for the children this test starts; restores it afterwards.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name)
    {
        if (const char* old = std::getenv(name))
            old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv()
    {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

std::string write_config(const TempDir& dir, const std::string& text)
{
    const auto path = dir.path() / "profile.toml";
    std::ofstream(path) << text;
    return path.string();
}

json metrics_of(std::vector<std::string> args)
{
    args.insert(args.begin(), {"run", "--prompt-ids", "1", "-n", "2", "--json", "--io-backend", "pread"});
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out).at("metrics");
}

// A failed run: a non-zero exit, nothing on stdout, one line on stderr containing `want`.
void expect_one_line_error(const std::vector<std::string>& args, const std::string& want)
{
    std::vector<std::string> argv{"run", "--prompt-ids", "1", "-n", "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_cli(argv);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr(want));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

constexpr std::uint64_t MiB = 1 << 20;

} // namespace

TEST(ConfigCli, ConfigThenEnvironmentThenCommandLine)
{
    TempDir dir;
    const auto config = write_config(dir, "[model]\nctx_size = 128\n[memory]\nbudget = \"8M\"\n"
                                          "[planner]\nstrategy = \"sequential\"\n[compute]\nthreads = 3\n");
    auto m = metrics_of({"-c", config});
    EXPECT_EQ(m.at("budget_bytes"), 8 * MiB);
    EXPECT_EQ(m.at("strategy"), "sequential");
    EXPECT_EQ(m.at("threads"), 3);
    EXPECT_EQ(m.at("n_ctx"), 128);

    ScopedEnv budget("EDGE_RT_MEMORY_BUDGET", "7M");
    ScopedEnv strategy("EDGE_RT_STRATEGY", "greedy-grouping");
    m = metrics_of({"-c", config});
    EXPECT_EQ(m.at("budget_bytes"), 7 * MiB);
    EXPECT_EQ(m.at("strategy"), "greedy-grouping");
    EXPECT_EQ(m.at("threads"), 3); // not in the environment: still the file's

    m = metrics_of({"-c", config, "-b", "6M", "-s", "speculative-prefetch", "-t", "2"});
    EXPECT_EQ(m.at("budget_bytes"), 6 * MiB);
    EXPECT_EQ(m.at("strategy"), "speculative-prefetch");
    EXPECT_EQ(m.at("threads"), 2);

    // The file can also come from $EDGE_RT_CONFIG.
    ScopedEnv from_env("EDGE_RT_CONFIG", config);
    m = metrics_of({});
    EXPECT_EQ(m.at("budget_bytes"), 7 * MiB);
    EXPECT_EQ(m.at("n_ctx"), 128);
}

TEST(ConfigCli, BadSettingsFailWithOneLine)
{
    TempDir dir;
    expect_one_line_error({"-c", write_config(dir, "[memory]\nbudgte = \"8M\"\n")},
                          (dir.path() / "profile.toml").string() + ": unknown key 'memory.budgte'");
    expect_one_line_error({"-c", write_config(dir, "[memory]\nbudget = \"12Q\"\n")},
                          "profile.toml: memory.budget: '12Q' is not a size");
    expect_one_line_error({"-c", write_config(dir, "[planner]\nstrategy = \"fast\"\n")},
                          "profile.toml: planner.strategy: unknown strategy 'fast'");
    expect_one_line_error({"-c", (dir.path() / "none.toml").string()}, "none.toml: cannot read config");
    expect_one_line_error({"-c", dir.path().string()}, ": cannot read config: is a directory");
    expect_one_line_error({"-b", "12Q"}, "--memory-budget: '12Q' is not a size");
    expect_one_line_error({"-s", "fast"}, "--strategy: unknown strategy 'fast'");
    ScopedEnv bad("EDGE_RT_STRATEGY", "fast");
    expect_one_line_error({}, "EDGE_RT_STRATEGY: unknown strategy 'fast'");
}
