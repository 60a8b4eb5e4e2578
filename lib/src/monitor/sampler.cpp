#include "monitor/sampler.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace edge_rt::monitor {
namespace {

std::optional<std::string> slurp(const std::filesystem::path& p)
{
    std::ifstream in(p);
    if (!in)
        return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

template <typename T>
std::optional<T> number(const std::filesystem::path& p)
{
    const auto text = slurp(p);
    if (!text)
        return std::nullopt;
    std::istringstream in(*text);
    T v{};
    if (in >> v)
        return v;
    return std::nullopt;
}

void read_meminfo(const std::filesystem::path& root, Snapshot& s)
{
    const auto text = slurp(root / "proc/meminfo");
    if (!text)
        return;
    std::istringstream in(*text);
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (in >> key >> kib) {
        std::getline(in, unit);
        if (key == "MemTotal:")
            s.mem_total = kib * 1024;
        else if (key == "MemAvailable:")
            s.mem_available = kib * 1024;
    }
}

void read_psi(const std::filesystem::path& root, Snapshot& s)
{
    const auto text = slurp(root / "proc/pressure/memory");
    if (!text)
        return;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find("avg10=");
        if (at == std::string::npos)
            continue;
        const double v = std::strtod(line.c_str() + at + 6, nullptr);
        if (line.rfind("some", 0) == 0)
            s.psi_some_avg10 = v;
        else if (line.rfind("full", 0) == 0)
            s.psi_full_avg10 = v;
    }
}

void read_loadavg(const std::filesystem::path& root, Snapshot& s)
{
    const auto text = slurp(root / "proc/loadavg");
    std::istringstream in(text.value_or(""));
    double a = 0, b = 0, c = 0;
    if (in >> a >> b >> c) {
        s.load1 = a;
        s.load5 = b;
        s.load15 = c;
    }
}

void read_thermal(const std::filesystem::path& root, Snapshot& s)
{
    std::error_code ec;
    std::vector<std::filesystem::path> zones;
    for (const auto& e : std::filesystem::directory_iterator(root / "sys/class/thermal", ec))
        if (e.path().filename().string().rfind("thermal_zone", 0) == 0)
            zones.push_back(e.path());
    std::sort(zones.begin(), zones.end());
    for (const auto& z : zones)
        if (const auto milli = number<long>(z / "temp")) {
            auto type = slurp(z / "type").value_or(z.filename().string());
            type.erase(std::remove(type.begin(), type.end(), '\n'), type.end());
            s.thermal.push_back({type, static_cast<double>(*milli) / 1000.0});
        }
}

void read_cores(const std::filesystem::path& root, const Snapshot* prev, Snapshot& s)
{
    std::istringstream stat(slurp(root / "proc/stat").value_or(""));
    for (std::string line; std::getline(stat, line);) {
        if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9')
            continue;
        std::istringstream in(line.substr(3));
        CpuCore c;
        in >> c.id;
        std::uint64_t v = 0;
        for (int field = 0; in >> v; ++field) {
            c.total_ticks += v;
            if (field != 3 && field != 4) // idle and iowait are not busy
                c.busy_ticks += v;
        }
        const auto freq = root / "sys/devices/system/cpu" / ("cpu" + std::to_string(c.id)) / "cpufreq";
        c.cur_khz = number<std::uint64_t>(freq / "scaling_cur_freq");
        c.max_khz = number<std::uint64_t>(freq / "cpuinfo_max_freq");
        if (auto g = slurp(freq / "scaling_governor")) {
            g->erase(std::remove(g->begin(), g->end(), '\n'), g->end());
            c.governor = *g;
        }
        if (prev)
            for (const auto& p : prev->cores)
                if (p.id == c.id && c.total_ticks > p.total_ticks)
                    c.busy = static_cast<double>(c.busy_ticks - p.busy_ticks) /
                             static_cast<double>(c.total_ticks - p.total_ticks);
        s.cores.push_back(std::move(c));
    }
}

} // namespace

Snapshot Sampler::sample(const Snapshot* previous) const
{
    Snapshot s;
    s.taken = std::chrono::steady_clock::now();
    try {
        read_meminfo(root_, s);
        read_psi(root_, s);
        read_loadavg(root_, s);
        read_thermal(root_, s);
        read_cores(root_, previous, s);
        // Raspberry Pi firmware: hex flags, e.g. "0x50005".
        if (const auto t = slurp(root_ / "sys/devices/platform/soc/soc:firmware/get_throttled"))
            s.throttle = ThrottleFlags{static_cast<std::uint32_t>(std::stoul(*t, nullptr, 16))};
    } catch (...) { // a malformed file: keep what was read
    }
    return s;
}

} // namespace edge_rt::monitor

namespace edge_rt {

SystemSnapshot sample_system(const std::filesystem::path& root, const SystemSnapshot* previous)
{
    return monitor::Sampler(root).sample(previous);
}

} // namespace edge_rt
