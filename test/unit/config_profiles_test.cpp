// The shipped TOML profiles, read by the real resolver, must reach the engine; and the resolver
// itself: precedence (defaults < file < environment < command line) and one-line errors.
#include "edge_rt/runtime.hpp"
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
    Strategy strategy;
    unsigned prefetch_depth, threads, ctx, queue_depth;
    IoBackend backend;
};

const std::map<std::string, Expected>& shipped()
{
    using S = Strategy;
    using B = IoBackend;
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
// Loads the bundled model with `config` through the public API, as `run` does.
Model load_model(const RuntimeConfig& config, asio::io_context& io)
{
    std::exception_ptr error;
    Model model;
    async_load(io, test::bundled_model().string(), config, [&](std::exception_ptr e, Model m) {
        error = e;
        model = std::move(m);
    });
    io.run();
    if (error)
        std::rethrow_exception(error);
    return model;
}

Model load_model(const RuntimeConfig& config)
{
    asio::io_context io(1);
    return load_model(config, io);
}

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
        const auto& c = settings.runtime;
        EXPECT_EQ(c.budget_bytes, want.budget);
        EXPECT_EQ(c.strategy, want.strategy);
        EXPECT_EQ(c.prefetch_depth, want.prefetch_depth);
        EXPECT_EQ(c.threads, want.threads);
        EXPECT_EQ(c.ctx_size, want.ctx);
        EXPECT_EQ(c.queue_depth, want.queue_depth);
        EXPECT_EQ(c.io_backend, want.backend);
        auto config = c;
        if (want.backend == IoBackend::Uring && !io::probe_io_uring().available) {
            // qemu-user, old kernels: the profile's explicit uring must fail clearly, not fall back.
            EXPECT_THROW(load_model(config), ConfigError);
            config.io_backend = IoBackend::Pread;
        }
        // The settings reach the engine through the public API, as `run` loads them.
        asio::io_context io(1);
        Model model = load_model(config, io);
        const auto m = model.metrics();
        EXPECT_EQ(m.budget_bytes, want.budget);
        EXPECT_NE(model.plan().strategy, Strategy::Auto); // auto resolves to a concrete plan
        if (want.strategy != Strategy::Auto) {
            EXPECT_EQ(model.plan().strategy, want.strategy);
        }
        EXPECT_EQ(model.info().threads, want.threads);
        EXPECT_EQ(m.active_threads, want.threads);
        EXPECT_EQ(model.info().n_ctx, want.ctx);
        if (want.backend == IoBackend::Uring && io::probe_io_uring().available) {
            EXPECT_EQ(model.info().io_backend, "uring");
        }
        model = {};
        io.restart();
        io.run();
        EXPECT_TRUE(c.monitor.enabled);
        EXPECT_LT(c.monitor.psi_low, c.monitor.psi_high);
        EXPECT_LT(c.monitor.celsius_ok, c.monitor.celsius_high);
    }
    EXPECT_EQ(seen, shipped().size());
}

TEST(ConfigProfiles, DesktopSamplingAndMonitorValuesAreRead)
{
    const auto s = resolve_settings(parse_args({"-c", std::string(EDGE_RT_CONFIG_DIR) + "/desktop.toml"}), env_of({}));
    EXPECT_FLOAT_EQ(s.sampling.repeat_penalty, 1.1f);
    EXPECT_EQ(s.sampling.top_k, 40);
    EXPECT_EQ(s.runtime.monitor.interval_ms, 1000u);
    EXPECT_DOUBLE_EQ(s.runtime.monitor.psi_high, 20.0);
    EXPECT_DOUBLE_EQ(s.runtime.monitor.celsius_ok, 80.0);
    const auto sampler = sampling_config(s, 7);
    EXPECT_EQ(sampler.seed, 7u); // the profile sets no seed: the caller's random one is used
}

TEST(Settings, DefaultsWithoutAnySource)
{
    const auto s = resolve_settings(parse_args({}), env_of({}));
    EXPECT_FALSE(s.model.has_value());
    EXPECT_EQ(s.runtime.budget_bytes, 0u);
    EXPECT_EQ(s.runtime.strategy, Strategy::SpeculativePrefetch);
    EXPECT_EQ(s.runtime.threads, default_threads()); // the CPUs this process may use
    EXPECT_EQ(s.runtime.prefetch_depth, 2u);
    EXPECT_TRUE(s.runtime.monitor.enabled);
    EXPECT_EQ(s.runtime.monitor.interval_ms, 500u);
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
    EXPECT_EQ(s.runtime.budget_bytes, 64u << 20);
    EXPECT_EQ(s.runtime.threads, 3u);
    EXPECT_EQ(s.runtime.strategy, Strategy::Sequential);
    EXPECT_EQ(s.model, dir.path() / "m.gguf"); // relative to the config file
    EXPECT_EQ(s.config_file, file);

    s = resolve_settings(parse_args({"-c", c}), env_of({{"EDGE_RT_MEMORY_BUDGET", "32M"}, {"EDGE_RT_MODEL", "/e.gguf"}}));
    EXPECT_EQ(s.runtime.budget_bytes, 32u << 20);
    EXPECT_EQ(s.runtime.threads, 3u); // not in the environment: the file's
    EXPECT_EQ(s.model, fs::path("/e.gguf"));

    s = resolve_settings(parse_args({"-c", c, "-b", "16M", "-t", "2", "-m", "/c.gguf"}),
                         env_of({{"EDGE_RT_MEMORY_BUDGET", "32M"}, {"EDGE_RT_THREADS", "5"}}));
    EXPECT_EQ(s.runtime.budget_bytes, 16u << 20);
    EXPECT_EQ(s.runtime.threads, 2u);
    EXPECT_EQ(s.runtime.strategy, Strategy::Sequential);
    EXPECT_EQ(s.model, fs::path("/c.gguf"));

    // $EDGE_RT_CONFIG names the file when -c does not; -c wins over it.
    s = resolve_settings(parse_args({}), env_of({{"EDGE_RT_CONFIG", c}}));
    EXPECT_EQ(s.runtime.budget_bytes, 64u << 20);
    const auto other = write_text(dir, "q.toml", "[compute]\nthreads = 7\n");
    s = resolve_settings(parse_args({"-c", other.string()}), env_of({{"EDGE_RT_CONFIG", c}}));
    EXPECT_EQ(s.runtime.threads, 7u);
    EXPECT_EQ(s.runtime.budget_bytes, 0u);
}

TEST(Settings, EnvironmentNamesEveryEngineSetting)
{
    const auto s = resolve_settings(parse_args({}), env_of({{"EDGE_RT_STRATEGY", "greedy-grouping"},
                                                             {"EDGE_RT_IO_BACKEND", "pread"},
                                                             {"EDGE_RT_CTX_SIZE", "256"},
                                                             {"EDGE_RT_PREFETCH_DEPTH", "3"},
                                                             {"EDGE_RT_MONITOR", "off"}}));
    EXPECT_EQ(s.runtime.strategy, Strategy::GreedyGrouping);
    EXPECT_EQ(s.runtime.io_backend, IoBackend::Pread);
    EXPECT_EQ(s.runtime.ctx_size, 256u);
    EXPECT_EQ(s.runtime.prefetch_depth, 3u);
    EXPECT_FALSE(s.runtime.monitor.enabled);
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
