// `status`: is this machine ready to run a model, and with which budget and strategy?
// Thermal, memory, CPU (two samples ~200 ms apart for per-core load), optionally storage read
// bandwidth, and an assessment. Fields the machine does not expose print as "n/a" (null in JSON).
#include "commands.hpp"
#include "model_path.hpp"

#include "assessment.hpp"
#include "io_probe.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/system.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace edge_rt::cli {
namespace {

struct StatusOptions {
    fs::path root = "/";
    bool json = false;
    std::optional<fs::path> model;
    std::optional<fs::path> probe_target; // set with --probe-io
    std::uint64_t probe_bytes = 256u << 20;
};

template <typename T>
json or_null(const std::optional<T>& v)
{
    return v ? json(*v) : json(nullptr);
}

std::string na(const std::optional<double>& v, const char* fmt_spec)
{
    return v ? fmt::format(fmt::runtime(fmt_spec), *v) : "n/a";
}

std::optional<double> mhz(const std::optional<std::uint64_t>& khz)
{
    return khz ? std::optional<double>(static_cast<double>(*khz) / 1000.0) : std::nullopt;
}

std::uint64_t model_bytes(const fs::path& p)
{
    if (!fs::is_directory(p))
        return fs::file_size(p);
    std::uint64_t total = 0;
    for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file() && e.path().extension() == ".safetensors")
            total += e.file_size();
    return total;
}

json to_json(const SystemSnapshot& s, const tools::Assessment& a, const std::optional<tools::IoProbeResult>& io)
{
    json zones = json::array();
    for (const auto& z : s.thermal)
        zones.push_back({{"type", z.type}, {"celsius", z.celsius}});
    json throttle = nullptr;
    if (s.throttle)
        throttle = {{"raw", s.throttle->raw}, {"under_voltage_now", s.throttle->under_voltage()},
                    {"freq_capped_now", s.throttle->freq_capped()}, {"throttled_now", s.throttle->throttled()},
                    {"soft_temp_limit_now", s.throttle->soft_temp_limit()},
                    {"any_since_boot", s.throttle->any_since_boot()}};
    json cores = json::array();
    for (const auto& c : s.cores)
        cores.push_back({{"id", c.id}, {"governor", or_null(c.governor)}, {"cur_mhz", or_null(mhz(c.cur_khz))},
                         {"max_mhz", or_null(mhz(c.max_khz))},
                         {"busy_percent", c.busy ? json(*c.busy * 100.0) : json(nullptr)}});
    json storage = nullptr;
    if (io)
        storage = {{"file", io->file}, {"temporary_file", io->temporary}, {"bytes", io->bytes},
                   {"seconds", io->seconds}, {"read_mb_s", io->mb_per_s()}, {"direct_io", io->direct},
                   {"backend", io->backend}};
    return {{"thermal", {{"zones", zones}, {"max_celsius", or_null(s.max_celsius())},
                         {"throttle_celsius", tools::kThrottleCelsius},
                         {"headroom_celsius", or_null(a.thermal_headroom)}, {"throttle_flags", throttle}}},
            {"memory", {{"total_bytes", or_null(s.mem_total)}, {"available_bytes", or_null(s.mem_available)},
                        {"psi_some_avg10", or_null(s.psi_some_avg10)}, {"psi_full_avg10", or_null(s.psi_full_avg10)}}},
            {"cpu", {{"online", s.cores.size()}, {"load1", or_null(s.load1)}, {"cores", cores}}},
            {"storage", storage},
            {"assessment", {{"memory_budget_bytes", or_null(a.budget_bytes)},
                            {"memory_budget", a.budget_bytes ? json(tools::budget_string(*a.budget_bytes)) : json(nullptr)},
                            {"strategy", a.strategy}, {"reasons", a.reasons}}}};
}

std::string bytes_text(const std::optional<std::uint64_t>& b)
{
    return b ? tools::budget_string(*b) : "n/a";
}

void print_thermal(const SystemSnapshot& s, const tools::Assessment& a)
{
    std::string zones;
    for (const auto& z : s.thermal)
        zones += fmt::format("{}{} {:.1f} °C", zones.empty() ? "" : ", ", z.type, z.celsius);
    fmt::print("thermal     zones: {}\n", zones.empty() ? "n/a" : zones);
    fmt::print("            headroom: {} to {:.0f} °C\n", na(a.thermal_headroom, "{:.1f} °C"), tools::kThrottleCelsius);
    if (!s.throttle) {
        fmt::print("            throttle flags: n/a\n");
        return;
    }
    const auto& t = *s.throttle;
    fmt::print("            throttle flags: {:#x}{}{}{}{}{}\n", t.raw, t.under_voltage() ? ", under-voltage now" : "",
               t.freq_capped() ? ", frequency capped now" : "", t.throttled() ? ", throttled now" : "",
               t.soft_temp_limit() ? ", soft temperature limit now" : "",
               t.any_since_boot() ? ", some since boot" : (t.any_now() ? "" : ", none"));
}

void print_cpu(const SystemSnapshot& s)
{
    fmt::print("cpu         online: {}, load average: {}\n", s.cores.empty() ? "n/a" : std::to_string(s.cores.size()),
               na(s.load1, "{:.2f}"));
    for (const auto& c : s.cores)
        fmt::print("            cpu{:<3} governor {:<12} {} / {} MHz, busy {}\n", c.id, c.governor.value_or("n/a"),
                   na(mhz(c.cur_khz), "{:.0f}"), na(mhz(c.max_khz), "{:.0f}"),
                   na(c.busy ? std::optional(*c.busy * 100.0) : std::nullopt, "{:.0f}%"));
}

void print_text(const SystemSnapshot& s, const tools::Assessment& a, const std::optional<tools::IoProbeResult>& io)
{
    print_thermal(s, a);
    fmt::print("memory      total {}, available {}, pressure (PSI avg10) some {} full {}\n", bytes_text(s.mem_total),
               bytes_text(s.mem_available), na(s.psi_some_avg10, "{:.2f}%"), na(s.psi_full_avg10, "{:.2f}%"));
    print_cpu(s);
    if (io)
        fmt::print("storage     {:.1f} MB/s sequential read of {} MiB ({}, {}{}) from {}\n", io->mb_per_s(),
                   io->bytes >> 20, io->direct ? "O_DIRECT" : "buffered: O_DIRECT unavailable, the page cache may help",
                   io->backend, io->temporary ? ", temporary file removed" : "", io->file);
    else
        fmt::print("storage     not measured (--probe-io [PATH])\n");
    fmt::print("assessment  --memory-budget {} --strategy {}\n",
               a.budget_bytes ? tools::budget_string(*a.budget_bytes) : "n/a", a.strategy);
    for (const auto& r : a.reasons)
        fmt::print("            - {}\n", r);
}

StatusOptions to_options(const po::variables_map& vm)
{
    StatusOptions o;
    if (vm.count("root"))
        o.root = vm["root"].as<std::string>();
    o.json = vm.count("json") > 0;
    if (vm.count("model"))
        o.model = vm["model"].as<std::string>();
    if (o.model && !fs::exists(*o.model))
        throw ConfigError(fmt::format("{}: no such model file or folder", o.model->string()));
    if (vm.count("probe-io")) {
        const auto& given = vm["probe-io"].as<std::string>();
        o.probe_target = !given.empty() ? fs::path(given) : o.model ? *o.model : default_model_path();
    }
    if (vm.count("probe-size") && (o.probe_bytes = vm["probe-size"].as<std::uint64_t>() << 20) == 0)
        throw ConfigError("--probe-size must be at least 1 (MiB)");
    return o;
}

} // namespace

int status_command(const std::vector<std::string>& args)
{
    po::options_description opts("status options");
    opts.add_options()
        ("help,h", "show this help")
        ("json", "print one JSON object instead of text")
        ("model,m", po::value<std::string>(), "the model to assess (its size decides the strategy)")
        ("probe-io", po::value<std::string>()->implicit_value(""),
         "measure read bandwidth of the file system holding PATH (default: the model)");
    po::options_description hidden;
    hidden.add_options()
        ("root", po::value<std::string>(), "read /proc and /sys below this folder (tests)")
        ("probe-size", po::value<std::uint64_t>(), "MiB of the temporary probe file (default 256)");
    po::options_description all;
    all.add(opts).add(hidden);
    po::variables_map vm;
    const po::positional_options_description none; // a stray word is an error, not ignored
    po::store(po::command_line_parser(args).options(all).positional(none).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async status [--json] [--probe-io [PATH]] [-m MODEL]\n\n" << opts;
        return 0;
    }
    const auto o = to_options(vm);
    const auto first = sample_system(o.root);
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // per-core load is a difference
    const auto now = sample_system(o.root, &first);
    std::optional<tools::IoProbeResult> io;
    if (o.probe_target)
        io = tools::probe_read_bandwidth(*o.probe_target, o.probe_bytes);
    const auto a = tools::assess(now, o.model ? std::optional(model_bytes(*o.model)) : std::nullopt);
    if (o.json)
        fmt::print("{}\n", to_json(now, a, io).dump(2));
    else
        print_text(now, a, io);
    return 0;
}

} // namespace edge_rt::cli
