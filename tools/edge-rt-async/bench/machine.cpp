#include "bench/machine.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <pwd.h>
#include <random>
#include <sys/utsname.h>
#include <unistd.h>

namespace edge_rt::cli {
namespace {

std::string first_line_of(const char* path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    line.erase(std::find(line.begin(), line.end(), '\0'), line.end()); // device-tree strings end in NUL
    return line;
}

std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos)
                return line.substr(line.find_first_not_of(" \t", colon + 1));
        }
    return {};
}

std::string user_name()
{
    if (const passwd* pw = ::getpwuid(::geteuid()))
        return pw->pw_name;
    const char* user = std::getenv("USER");
    return user ? user : "";
}

std::string random_uuid()
{
    std::random_device rd;
    std::array<unsigned, 16> b{};
    for (auto& v : b)
        v = rd() & 0xffu;
    b[6] = (b[6] & 0x0fu) | 0x40u; // version 4
    b[8] = (b[8] & 0x3fu) | 0x80u; // RFC 4122 variant
    return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
                       "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                       b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                       b[14], b[15]);
}

std::string count_label(std::uint64_t n)
{
    if (n >= 1000000000)
        return fmt::format("{:.1f}B", static_cast<double>(n) / 1e9);
    if (n >= 1000000)
        return fmt::format("{:.0f}M", static_cast<double>(n) / 1e6);
    return fmt::format("{:.0f}K", static_cast<double>(n) / 1e3);
}

} // namespace

MachineFacts machine_facts()
{
    MachineFacts m;
    utsname u{};
    if (::uname(&u) == 0) {
        m.platform = u.sysname;
        m.release = u.release;
        m.hostname = u.nodename;
    }
    m.device = first_line_of("/proc/device-tree/model");
    if (m.device.empty()) {
        m.device = cpu_model();
        if (!m.device.empty())
            m.device += ' ';
        m.device += u.machine;
    }
    m.username = user_name();
    m.uuid = random_uuid();
    return m;
}

ModelFacts model_facts(const ModelHeader& header)
{
    ModelFacts f;
    f.name = header.hyper.name;
    f.parameters = header.parameters;
    f.weight_bytes = header.weight_bytes;
    f.size = count_label(f.parameters);
    f.quantize = header.main_type;
    std::transform(f.quantize.begin(), f.quantize.end(), f.quantize.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return f;
}

} // namespace edge_rt::cli
