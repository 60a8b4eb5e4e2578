// The shipped TOML profiles, read by the real resolver, must reach the engine; and the resolver
// itself: precedence (defaults < file < environment < command line) and one-line errors.
#include "edge_rt/error.hpp"
#include "env.hpp"
#include "io/uring_probe.hpp"
#include "settings.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <string>

namespace fs = std::filesystem;
namespace po = boost::program_options;
using namespace edge_rt;
using namespace edge_rt::cli;
using ::testing::HasSubstr;

namespace {

// What each shipped profile says, written out by hand from the files (not from our parser).
struct Expected {
    std::uint64_t budget;
    plan::Strategy strategy;
    unsigned prefetch_depth, threads, ctx, queue_depth;
    io::IoBackend backend;
};

const std::map<std::string, Expected>& shipped()
{
    using S = plan::Strategy;
    using B = io::IoBackend;
    static const std::map<std::string, Expected> profiles{
        {"rpi4-default.toml", {1ull << 30, S::SpeculativePrefetch, 2, 4, 2048, 32, B::Auto}},
        {"rpi4-2gb.toml", {512ull << 20, S::SpeculativePrefetch, 2, 4, 1024, 16, B::Auto}},
        {"rpi5-performance.toml", {4ull << 30, S::Auto, 3, 4, 4096, 64, B::Uring}},
        {"desktop.toml", {8ull << 30, S::Auto, 4, 8, 4096, 64, B::Auto}},
    };
    return profiles;
}

po::variables_map parse_args(const std::vector<std::string>& args)
{
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(settings_options(true)).run(), vm);
    po::notify(vm);
    return vm;
}

EnvLookup env_of(std::map<std::string, std::string> vars)
{
    return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
}

fs::path write_text(const test::TempDir& dir, const std::string& name, const std::string& text)
{
    const auto path = dir.path() / name;
    std::ofstream(path) << text;
    return path;
}

// The ConfigError message of resolving `args` (empty if it did not throw).
std::string error_of(const std::vector<std::string>& args, std::map<std::string, std::string> env = {})
{
    try {
        resolve_settings(parse_args(args), env_of(std::move(env)));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST(ConfigProfiles, EveryShippedProfileReachesTheEngine)
{
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(EDGE_RT_CONFIG_DIR)) {
        if (entry.path().extension() != ".toml")
            continue;
        SCOPED_TRACE(entry.path().string());
        const auto it = shipped().find(entry.path().filename().string());
        ASSERT_NE(it, shipped().end()) << "a shipped profile this test does not know";
        const Expected& want = it->second;
        ++seen;

        const auto settings = resolve_settings(parse_args({"-c", entry.path().string()}), env_of({}));
        auto options = engine_options(settings);
        if (want.backend == io::IoBackend::Uring && !io::probe_io_uring().available) {
            // qemu-user, old kernels: the profile's explicit uring must fail clearly, not fall back.
            EXPECT_THROW(runtime::Engine(test::bundled_model(), options), ConfigError);
            options.reader.backend = io::IoBackend::Pread;
        }
        const runtime::Engine engine(test::bundled_model(), options);
        EXPECT_EQ(engine.options().budget, want.budget);
        EXPECT_EQ(engine.budget_bytes(), want.budget);
        EXPECT_EQ(engine.budget().limit(), want.budget);
        EXPECT_EQ(engine.options().strategy, want.strategy);
        EXPECT_EQ(engine.plan_request().strategy, want.strategy);
        EXPECT_NE(engine.plan().strategy, plan::Strategy::Auto); // auto resolves to a concrete plan
        EXPECT_EQ(engine.options().prefetch_depth, want.prefetch_depth);
        EXPECT_EQ(engine.options().threads, want.threads);
        EXPECT_EQ(engine.active_threads(), want.threads);
        EXPECT_EQ(const_cast<runtime::Engine&>(engine).executor().compute().threads(), want.threads);
        EXPECT_EQ(engine.n_ctx(), want.ctx);
        EXPECT_EQ(engine.options().reader.queue_depth, want.queue_depth);
        if (want.backend == io::IoBackend::Uring && io::probe_io_uring().available) {
            EXPECT_EQ(engine.reader().backend_name(), "uring");
        }
        EXPECT_TRUE(settings.monitor.enabled);
        EXPECT_LT(settings.monitor.policy.psi_low, settings.monitor.policy.psi_high);
        EXPECT_LT(settings.monitor.policy.celsius_ok, settings.monitor.policy.celsius_high);
    }
    EXPECT_EQ(seen, shipped().size());
}

TEST(ConfigProfiles, DesktopSamplingAndMonitorValuesAreRead)
{
    const auto s = resolve_settings(parse_args({"-c", std::string(EDGE_RT_CONFIG_DIR) + "/desktop.toml"}), env_of({}));
    EXPECT_FLOAT_EQ(s.sampling.repeat_penalty, 1.1f);
    EXPECT_EQ(s.sampling.top_k, 40);
    EXPECT_EQ(s.monitor.interval, std::chrono::milliseconds(1000));
    EXPECT_DOUBLE_EQ(s.monitor.policy.psi_high, 20.0);
    EXPECT_DOUBLE_EQ(s.monitor.policy.celsius_ok, 80.0);
    const auto sampler = sampler_config(s, 7);
    EXPECT_EQ(sampler.seed, 7u); // the profile sets no seed: the caller's random one is used
}

TEST(Settings, DefaultsWithoutAnySource)
{
    const auto s = resolve_settings(parse_args({}), env_of({}));
    EXPECT_FALSE(s.model.has_value());
    EXPECT_EQ(s.budget, 0u);
    EXPECT_EQ(s.strategy, plan::Strategy::SpeculativePrefetch);
    EXPECT_EQ(s.threads, 1u);
    EXPECT_EQ(s.prefetch_depth, 2u);
    EXPECT_TRUE(s.monitor.enabled);
    EXPECT_EQ(s.monitor.interval, std::chrono::milliseconds(500));
    EXPECT_FALSE(s.config_file.has_value());
}

TEST(Settings, FileThenEnvironmentThenCommandLine)
{
    test::TempDir dir;
    const auto file = write_text(dir, "p.toml",
                                 "[memory]\nbudget = \"64M\"\n[compute]\nthreads = 3\n"
                                 "[planner]\nstrategy = \"sequential\"\n[model]\npath = \"m.gguf\"\n");
    const std::string c = file.string();

    auto s = resolve_settings(parse_args({"-c", c}), env_of({}));
    EXPECT_EQ(s.budget, 64u << 20);
    EXPECT_EQ(s.threads, 3u);
    EXPECT_EQ(s.strategy, plan::Strategy::Sequential);
    EXPECT_EQ(s.model, dir.path() / "m.gguf"); // relative to the config file
    EXPECT_EQ(s.config_file, file);

    s = resolve_settings(parse_args({"-c", c}), env_of({{"EDGE_RT_MEMORY_BUDGET", "32M"}, {"EDGE_RT_MODEL", "/e.gguf"}}));
    EXPECT_EQ(s.budget, 32u << 20);
    EXPECT_EQ(s.threads, 3u); // not in the environment: the file's
    EXPECT_EQ(s.model, fs::path("/e.gguf"));

    s = resolve_settings(parse_args({"-c", c, "-b", "16M", "-t", "2", "-m", "/c.gguf"}),
                         env_of({{"EDGE_RT_MEMORY_BUDGET", "32M"}, {"EDGE_RT_THREADS", "5"}}));
    EXPECT_EQ(s.budget, 16u << 20);
    EXPECT_EQ(s.threads, 2u);
    EXPECT_EQ(s.strategy, plan::Strategy::Sequential);
    EXPECT_EQ(s.model, fs::path("/c.gguf"));

    // $EDGE_RT_CONFIG names the file when -c does not; -c wins over it.
    s = resolve_settings(parse_args({}), env_of({{"EDGE_RT_CONFIG", c}}));
    EXPECT_EQ(s.budget, 64u << 20);
    const auto other = write_text(dir, "q.toml", "[compute]\nthreads = 7\n");
    s = resolve_settings(parse_args({"-c", other.string()}), env_of({{"EDGE_RT_CONFIG", c}}));
    EXPECT_EQ(s.threads, 7u);
    EXPECT_EQ(s.budget, 0u);
}

TEST(Settings, EnvironmentNamesEveryEngineSetting)
{
    const auto s = resolve_settings(parse_args({}), env_of({{"EDGE_RT_STRATEGY", "greedy-grouping"},
                                                             {"EDGE_RT_IO_BACKEND", "pread"},
                                                             {"EDGE_RT_CTX_SIZE", "256"},
                                                             {"EDGE_RT_PREFETCH_DEPTH", "3"},
                                                             {"EDGE_RT_MONITOR", "off"}}));
    EXPECT_EQ(s.strategy, plan::Strategy::GreedyGrouping);
    EXPECT_EQ(s.io_backend, io::IoBackend::Pread);
    EXPECT_EQ(s.ctx_size, 256u);
    EXPECT_EQ(s.prefetch_depth, 3u);
    EXPECT_FALSE(s.monitor.enabled);
}

TEST(Settings, BadInputGivesOneLineNamingTheSource)
{
    test::TempDir dir;
    const auto file = [&](const std::string& text) { return write_text(dir, "x.toml", text).string(); };
    const std::string x = (dir.path() / "x.toml").string();
    const std::vector<std::pair<std::string, std::string>> cases{
        {error_of({"-c", file("[memory]\nbudgte = \"1G\"\n")}), x + ": unknown key 'memory.budgte'"},
        {error_of({"-c", file("[memroy]\nbudget = \"1G\"\n")}), x + ": unknown section 'memroy'"},
        {error_of({"-c", file("memory_budget = \"1G\"\n")}), x + ": unknown key 'memory_budget'"},
        {error_of({"-c", file("[memory]\nbudget = \"12Q\"\n")}), x + ": memory.budget: '12Q' is not a size"},
        {error_of({"-c", file("[planner]\nstrategy = \"fast\"\n")}), x + ": planner.strategy: unknown strategy 'fast'"},
        {error_of({"-c", file("[compute]\nthreads = \"4\"\n")}), x + ": compute.threads: expected an integer, not a string"},
        {error_of({"-c", file("[compute]\nthreads = 0\n")}), x + ": compute.threads: must be at least 1, not 0"},
        {error_of({"-c", file("[io]\ndirect_io = 1\n")}), x + ": io.direct_io: expected true or false"},
        {error_of({"-c", file("[memory\n")}), x + ":1:"},
        {error_of({"-c", (dir.path() / "missing.toml").string()}), "missing.toml: cannot read config: No such file"},
        {error_of({"-b", "12Q"}), "--memory-budget: '12Q' is not a size"},
        {error_of({"-s", "fast"}), "--strategy: unknown strategy 'fast'"},
        {error_of({"-t", "0"}), "--threads: must be at least 1"},
        {error_of({}, {{"EDGE_RT_MEMORY_BUDGET", "12Q"}}), "EDGE_RT_MEMORY_BUDGET: '12Q' is not a size"},
        {error_of({}, {{"EDGE_RT_THREADS", "four"}}), "EDGE_RT_THREADS: 'four' is not a whole number"},
    };
    for (const auto& [got, want] : cases) {
        EXPECT_THAT(got, HasSubstr(want));
        EXPECT_EQ(got.find('\n'), std::string::npos) << got;
    }
}
