#include "settings_values.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace edge_rt::cli {

unsigned checked_count(std::int64_t value, std::int64_t min, const std::string& where)
{
    if (value < min || value > std::numeric_limits<unsigned>::max())
        throw ConfigError(fmt::format("{}: must be at least {}, not {}", where, min, value));
    return static_cast<unsigned>(value);
}

unsigned parse_count(const std::string& text, std::int64_t min, const std::string& where)
{
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        throw ConfigError(fmt::format("{}: '{}' is not a whole number", where, text));
    return checked_count(value, min, where);
}

Strategy checked_strategy(const std::string& text, const std::string& where)
{
    try {
        return parse_strategy(text);
    } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("{}: {}", where, e.what()));
    }
}

IoBackend checked_backend(const std::string& text, const std::string& where)
{
    try {
        return parse_io_backend(text);
    } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("{}: {}", where, e.what()));
    }
}

bool parse_flag(const std::string& text, const std::string& where)
{
    std::string t = text;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (t == "1" || t == "true" || t == "yes" || t == "on")
        return true;
    if (t == "0" || t == "false" || t == "no" || t == "off")
        return false;
    throw ConfigError(fmt::format("{}: '{}' is not on or off (expected 1, 0, true, false, yes, no, on or off)", where, text));
}

float checked_temperature(double v, const std::string& where)
{
    if (!(v >= 0.0) || !std::isfinite(v))
        throw ConfigError(fmt::format("{}: the temperature must be 0 or more, not {}", where, v));
    return static_cast<float>(v);
}

float checked_top_p(double v, const std::string& where)
{
    if (!(v > 0.0 && v <= 1.0))
        throw ConfigError(fmt::format("{}: top-p must be in (0, 1], not {}", where, v));
    return static_cast<float>(v);
}

float checked_repeat_penalty(double v, const std::string& where)
{
    if (!(v > 0.0) || !std::isfinite(v))
        throw ConfigError(fmt::format("{}: the repeat penalty must be more than 0, not {}", where, v));
    return static_cast<float>(v);
}

int checked_repeat_last_n(std::int64_t v, const std::string& where)
{
    if (v < -1 || v > std::numeric_limits<int>::max())
        throw ConfigError(fmt::format("{}: must be -1 or more, not {}", where, v));
    return static_cast<int>(v);
}

int checked_top_k(std::int64_t v, const std::string& where)
{
    if (v < 0 || v > std::numeric_limits<int>::max())
        throw ConfigError(fmt::format("{}: must be 0 or more, not {}", where, v));
    return static_cast<int>(v);
}

double checked_threshold(double v, const std::string& where)
{
    if (!(v >= 0.0) || !std::isfinite(v))
        throw ConfigError(fmt::format("{}: must be a number of 0 or more, not {}", where, v));
    return v;
}

} // namespace edge_rt::cli
