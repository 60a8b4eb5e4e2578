// What a run is configured with, and where each value comes from (DESIGN.md §8):
// defaults < config file (TOML) < environment < command line. `run` resolves its settings here;
// `bench` and `inspect` can call the same resolver with their own variables_map.
#pragma once

#include "io/reader.hpp"
#include "monitor/policy.hpp"
#include "plan/plan.hpp"
#include "runtime/engine.hpp"
#include "runtime/sampler.hpp"
#include "settings_values.hpp"

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace edge_rt::cli {

struct SamplingSettings {
    float temperature = 0.8f;
    int top_k = 40;
    float top_p = 0.95f;
    float repeat_penalty = 1.0f;
    int repeat_last_n = 64;
    std::optional<std::uint64_t> seed; // none: a random one
};

struct MonitorSettings {
    bool enabled = true;
    std::chrono::milliseconds interval{500};
    monitor::PolicyConfig policy;
};

struct RunSettings {
    std::optional<std::filesystem::path> model; // none: the bundled model
    std::size_t ctx_size = 0;                   // 0: min(model context, 2048)
    std::uint64_t budget = 0;                   // 0: enough for the whole model
    plan::Strategy strategy = plan::Strategy::SpeculativePrefetch;
    unsigned prefetch_depth = 2;
    unsigned threads = 1;
    io::IoBackend io_backend = io::IoBackend::Auto;
    bool direct_io = true;
    unsigned queue_depth = 32;
    SamplingSettings sampling;
    MonitorSettings monitor;
    std::optional<std::filesystem::path> config_file; // the TOML file read, if any
};

/// The environment as the resolver sees it (tests pass their own).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
/// getenv(), with empty values treated as unset.
EnvLookup process_env();

/// Sections [model] [memory] [planner] [io] [compute] [monitor] [sampling] of `path` applied
/// on top of `s`. Throws ConfigError with one line naming the file (and the key) for an
/// unreadable file, bad TOML, an unknown section or key, a wrong type or a bad value.
void apply_config_file(RunSettings& s, const std::filesystem::path& path);

/// EDGE_RT_MODEL, EDGE_RT_MEMORY_BUDGET, EDGE_RT_STRATEGY, EDGE_RT_THREADS, EDGE_RT_IO_BACKEND,
/// EDGE_RT_CTX_SIZE, EDGE_RT_PREFETCH_DEPTH, EDGE_RT_MONITOR (0/1). ConfigError names the variable.
void apply_environment(RunSettings& s, const EnvLookup& env);

/// The options the resolver knows (-m, -c, -b, -s, -t, --io-backend, --ctx-size, …); a command
/// adds them to its own. With `sampling`, also --temp, --top-k, --top-p, --repeat-penalty,
/// --repeat-last-n, --seed. None has a Program_Options default, so a value present in the
/// variables_map is one the user gave.
boost::program_options::options_description settings_options(bool sampling);

/// Defaults, then the config file (-c/--config, else $EDGE_RT_CONFIG), then the environment,
/// then the options of settings_options() the user actually gave in `vm`.
RunSettings resolve_settings(const boost::program_options::variables_map& vm, const EnvLookup& env = process_env());

/// The engine's options for these settings (what `run` loads the model with).
runtime::EngineOptions engine_options(const RunSettings& s);
/// The sampler's, with `seed` for a run without one.
runtime::SamplerConfig sampler_config(const RunSettings& s, std::uint64_t random_seed);

} // namespace edge_rt::cli
