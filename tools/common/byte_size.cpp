#include "byte_size.hpp"

#include "edge_rt/error.hpp"

#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <string>
#include <utility>

namespace edge_rt::cli {

std::uint64_t parse_bytes(const std::string& text, const char* where)
{
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = text.substr(used);
    for (auto& ch : unit)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    double scale = 0;
    if (unit.empty() || unit == "B")
        scale = 1;
    for (const auto& [prefix, s] : {std::pair{"K", 1024.0}, {"M", 1024.0 * 1024}, {"G", 1024.0 * 1024 * 1024}})
        if (unit == prefix || unit == std::string(prefix) + "B" || unit == std::string(prefix) + "IB")
            scale = s;
    if (used == 0 || scale == 0 || !(value > 0) || !std::isfinite(value) || value * scale > 1.8e19)
        throw ConfigError(fmt::format("{}: '{}' is not a size (expected e.g. 256K, 512M, 1.5G)", where, text));
    return static_cast<std::uint64_t>(std::llround(value * scale));
}

} // namespace edge_rt::cli
