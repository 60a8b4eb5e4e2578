#include "settings.hpp"
#include "settings_values.hpp"

#include "edge_rt/error.hpp"

#include <cstdlib>
#include <fmt/format.h>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

// A value the user gave on the command line (not a Program_Options default).
template <typename T>
std::optional<T> given(const po::variables_map& vm, const char* name)
{
    const auto it = vm.find(name);
    if (it == vm.end() || it->second.defaulted() || it->second.empty())
        return std::nullopt;
    return it->second.as<T>();
}

void apply_command_line(RunSettings& s, const po::variables_map& vm)
{
    if (auto v = given<std::string>(vm, "model"))
        s.model = *v;
    if (auto v = given<std::int64_t>(vm, "ctx-size"))
        s.runtime.ctx_size = checked_count(*v, 1, "--ctx-size");
    if (auto v = given<std::string>(vm, "memory-budget"))
        s.runtime.budget_bytes = parse_bytes(*v, "--memory-budget");
    if (auto v = given<std::string>(vm, "strategy"))
        s.runtime.strategy = checked_strategy(*v, "--strategy");
    if (auto v = given<std::int64_t>(vm, "prefetch-depth"))
        s.runtime.prefetch_depth = checked_count(*v, 1, "--prefetch-depth");
    if (auto v = given<std::int64_t>(vm, "threads"))
        s.runtime.threads = checked_count(*v, 1, "--threads");
    if (auto v = given<std::string>(vm, "io-backend"))
        s.runtime.io_backend = checked_backend(*v, "--io-backend");
    if (vm.count("no-direct-io"))
        s.runtime.direct_io = false;
    if (vm.count("no-monitor"))
        s.runtime.monitor.enabled = false;
    if (auto v = given<std::int64_t>(vm, "monitor-interval"))
        s.runtime.monitor.interval_ms = checked_count(*v, 1, "--monitor-interval");
}

void apply_sampling_flags(RunSettings& r, const po::variables_map& vm)
{
    auto& s = r.sampling;
    if (auto v = given<double>(vm, "temp"))
        s.temperature = checked_temperature(*v, "--temp");
    if (auto v = given<std::int64_t>(vm, "top-k"))
        s.top_k = checked_top_k(*v, "--top-k");
    if (auto v = given<double>(vm, "top-p"))
        s.top_p = checked_top_p(*v, "--top-p");
    if (auto v = given<double>(vm, "repeat-penalty"))
        s.repeat_penalty = checked_repeat_penalty(*v, "--repeat-penalty");
    if (auto v = given<std::int64_t>(vm, "repeat-last-n"))
        s.repeat_last_n = checked_repeat_last_n(*v, "--repeat-last-n");
    if (auto v = given<std::uint64_t>(vm, "seed"))
        r.seed = *v;
}

} // namespace

EnvLookup process_env()
{
    return [](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);
        if (v == nullptr || *v == '\0')
            return std::nullopt;
        return std::string(v);
    };
}

void apply_environment(RunSettings& s, const EnvLookup& env)
{
    if (auto v = env("EDGE_RT_MODEL"))
        s.model = *v;
    if (auto v = env("EDGE_RT_MEMORY_BUDGET"))
        s.runtime.budget_bytes = parse_bytes(*v, "EDGE_RT_MEMORY_BUDGET");
    if (auto v = env("EDGE_RT_STRATEGY"))
        s.runtime.strategy = checked_strategy(*v, "EDGE_RT_STRATEGY");
    if (auto v = env("EDGE_RT_THREADS"))
        s.runtime.threads = parse_count(*v, 1, "EDGE_RT_THREADS");
    if (auto v = env("EDGE_RT_IO_BACKEND"))
        s.runtime.io_backend = checked_backend(*v, "EDGE_RT_IO_BACKEND");
    if (auto v = env("EDGE_RT_CTX_SIZE"))
        s.runtime.ctx_size = parse_count(*v, 1, "EDGE_RT_CTX_SIZE");
    if (auto v = env("EDGE_RT_PREFETCH_DEPTH"))
        s.runtime.prefetch_depth = parse_count(*v, 1, "EDGE_RT_PREFETCH_DEPTH");
    if (auto v = env("EDGE_RT_MONITOR"))
        s.runtime.monitor.enabled = parse_flag(*v, "EDGE_RT_MONITOR");
}

po::options_description settings_options(bool sampling)
{
    const RunSettings d;
    po::options_description opts("model, memory and engine (defaults < config file < environment < these)");
    opts.add_options()
        ("config,c", po::value<std::string>(), "TOML config file (default: $EDGE_RT_CONFIG; see configs/)")
        ("model,m", po::value<std::string>(), "model: a GGUF file or a SafeTensors folder (default: the bundled model)")
        ("memory-budget,b", po::value<std::string>(), "bytes for everything the runtime holds, e.g. 256K, 512M, 1.5G "
                                                      "(default: enough for the whole model: every weight resident, "
                                                      "plus KV cache, activations and logits)")
        ("strategy,s", po::value<std::string>(), "sequential, greedy-grouping, speculative-prefetch (default) or auto")
        ("threads,t", po::value<std::int64_t>(), fmt::format("compute pool threads (default {}: the CPUs this process may use)", d.runtime.threads).c_str())
        ("io-backend", po::value<std::string>(), "auto (default: io_uring, pread where io_uring is unavailable or the model is on FUSE), uring or pread")
        ("prefetch-depth", po::value<std::int64_t>(),
         fmt::format("prefetch slots for speculative-prefetch (>= 2 overlaps reads with compute; default {})",
                     d.runtime.prefetch_depth).c_str())
        ("no-direct-io", "read weights through the page cache instead of O_DIRECT")
        ("ctx-size", po::value<std::int64_t>(), "context length in tokens (default: min(model context, 2048))")
        ("no-monitor", "do not watch memory pressure and temperature while running")
        ("monitor-interval", po::value<std::int64_t>(),
         fmt::format("ms between the monitor's readings (default {})", d.runtime.monitor.interval_ms).c_str());
    if (sampling)
        opts.add_options()
            ("temp", po::value<double>(), fmt::format("temperature; 0 = greedy (default {})", d.sampling.temperature).c_str())
            ("top-k", po::value<std::int64_t>(), fmt::format("keep the K most likely tokens; 0 = all (default {})", d.sampling.top_k).c_str())
            ("top-p", po::value<double>(),
             fmt::format("keep the most likely tokens up to this probability; 1 = all (default {})", d.sampling.top_p).c_str())
            ("repeat-penalty", po::value<double>(),
             fmt::format("penalty for recent tokens; 1.0 = off (default {})", d.sampling.repeat_penalty).c_str())
            ("repeat-last-n", po::value<std::int64_t>(),
             fmt::format("recent tokens the penalty looks at; -1 = all (default {})", d.sampling.repeat_last_n).c_str())
            ("seed", po::value<std::uint64_t>(), "random seed (default: a random one, reported in --json)");
    return opts;
}

RunSettings resolve_settings(const po::variables_map& vm, const EnvLookup& env)
{
    RunSettings s;
    if (auto path = given<std::string>(vm, "config"))
        apply_config_file(s, *path);
    else if (auto from_env = env("EDGE_RT_CONFIG"))
        apply_config_file(s, *from_env);
    apply_environment(s, env);
    apply_command_line(s, vm);
    apply_sampling_flags(s, vm);
    return s;
}

SamplingConfig sampling_config(const RunSettings& s, std::uint64_t random_seed)
{
    SamplingConfig c = s.sampling;
    c.seed = s.seed.value_or(random_seed);
    return c;
}

} // namespace edge_rt::cli
