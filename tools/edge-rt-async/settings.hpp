// What a run is configured with, and where each value comes from (DESIGN.md §8):
// defaults < config file (TOML) < environment < command line. `run` resolves its settings here;
// `bench` and `inspect` can call the same resolver with their own variables_map.
#pragma once

#include "edge_rt/config.hpp"
#include "settings_values.hpp"

#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace edge_rt::cli {

/// The public configuration (edge_rt/config.hpp) plus what only the CLI has: where the model
/// and the config file are, and whether the seed was chosen.
struct RunSettings {
    RunSettings()
    {
        runtime.monitor.enabled = true;       // the CLI watches the machine by default
        runtime.threads = default_threads(); // every CPU this process may use, as llama.cpp does
    }

    std::optional<std::filesystem::path> model; // none: the bundled model
    RuntimeConfig runtime;                      // budget 0: enough for the whole model
    SamplingConfig sampling;                    // its seed: `seed`, else a random one
    std::optional<std::uint64_t> seed;
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

/// The sampling settings, with `random_seed` for a run without a seed.
SamplingConfig sampling_config(const RunSettings& s, std::uint64_t random_seed);

} // namespace edge_rt::cli
