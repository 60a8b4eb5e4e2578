// The TOML config file: one table per section, every key known and checked. Keys are listed
// once in kKeys with the code that applies them, so the unknown-key check and the docs in
// configs/*.toml cannot drift apart from what is read.
#include "settings.hpp"
#include "settings_values.hpp"

#include "edge_rt/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace edge_rt::cli {
namespace {

/// One key of a section; `where` is "<file>: <section>.<key>" for error messages.
struct Value {
    const toml::node& node;
    std::string where;
    std::filesystem::path file;
};

const char* type_name(const toml::node& n)
{
    switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
    }
}

[[noreturn]] void wrong_type(const Value& v, const char* expected)
{
    throw ConfigError(fmt::format("{}: expected {}, not {}", v.where, expected, type_name(v.node)));
}

std::string string_of(const Value& v)
{
    if (const auto* s = v.node.as_string())
        return s->get();
    wrong_type(v, "a string");
}

std::int64_t integer_of(const Value& v)
{
    if (const auto* i = v.node.as_integer())
        return i->get();
    wrong_type(v, "an integer");
}

double number_of(const Value& v)
{
    if (const auto* f = v.node.as_floating_point())
        return f->get();
    if (const auto* i = v.node.as_integer())
        return static_cast<double>(i->get());
    wrong_type(v, "a number");
}

bool bool_of(const Value& v)
{
    if (const auto* b = v.node.as_boolean())
        return b->get();
    wrong_type(v, "true or false");
}

// "512M" or a plain number of bytes.
std::uint64_t bytes_of(const Value& v)
{
    if (const auto* i = v.node.as_integer()) {
        if (i->get() <= 0)
            throw ConfigError(fmt::format("{}: {} is not a size (expected e.g. \"512M\")", v.where, i->get()));
        return static_cast<std::uint64_t>(i->get());
    }
    return parse_bytes(string_of(v), v.where.c_str());
}

struct Key {
    const char* section;
    const char* name;
    void (*apply)(RunSettings& s, const Value& v);
};

const Key kKeys[] = {
    {"model", "path", [](RunSettings& s, const Value& v) {
         const std::filesystem::path p = string_of(v);
         s.model = p.is_relative() ? v.file.parent_path() / p : p; // relative to the config file
     }},
    {"model", "ctx_size", [](RunSettings& s, const Value& v) { s.runtime.ctx_size = checked_count(integer_of(v), 1, v.where); }},
    {"memory", "budget", [](RunSettings& s, const Value& v) { s.runtime.budget_bytes = bytes_of(v); }},
    {"planner", "strategy", [](RunSettings& s, const Value& v) { s.runtime.strategy = checked_strategy(string_of(v), v.where); }},
    {"planner", "prefetch_depth",
     [](RunSettings& s, const Value& v) { s.runtime.prefetch_depth = checked_count(integer_of(v), 1, v.where); }},
    {"io", "backend", [](RunSettings& s, const Value& v) { s.runtime.io_backend = checked_backend(string_of(v), v.where); }},
    {"io", "direct_io", [](RunSettings& s, const Value& v) { s.runtime.direct_io = bool_of(v); }},
    {"io", "queue_depth", [](RunSettings& s, const Value& v) { s.runtime.queue_depth = checked_count(integer_of(v), 1, v.where); }},
    {"io", "read_timeout_ms",
     [](RunSettings& s, const Value& v) { s.runtime.read_timeout_ms = checked_count(integer_of(v), 0, v.where); }},
    {"compute", "threads", [](RunSettings& s, const Value& v) { s.runtime.threads = checked_count(integer_of(v), 1, v.where); }},
    {"monitor", "enabled", [](RunSettings& s, const Value& v) { s.runtime.monitor.enabled = bool_of(v); }},
    {"monitor", "interval_ms", [](RunSettings& s, const Value& v) {
         s.runtime.monitor.interval_ms = checked_count(integer_of(v), 1, v.where);
     }},
    {"monitor", "psi_high", [](RunSettings& s, const Value& v) { s.runtime.monitor.psi_high = checked_threshold(number_of(v), v.where); }},
    {"monitor", "psi_low", [](RunSettings& s, const Value& v) { s.runtime.monitor.psi_low = checked_threshold(number_of(v), v.where); }},
    {"monitor", "available_low",
     [](RunSettings& s, const Value& v) { s.runtime.monitor.available_low = checked_threshold(number_of(v), v.where); }},
    {"monitor", "available_ok",
     [](RunSettings& s, const Value& v) { s.runtime.monitor.available_ok = checked_threshold(number_of(v), v.where); }},
    {"monitor", "celsius_high",
     [](RunSettings& s, const Value& v) { s.runtime.monitor.celsius_high = checked_threshold(number_of(v), v.where); }},
    {"monitor", "celsius_ok",
     [](RunSettings& s, const Value& v) { s.runtime.monitor.celsius_ok = checked_threshold(number_of(v), v.where); }},
    {"monitor", "calm_readings",
     [](RunSettings& s, const Value& v) { s.runtime.monitor.calm_readings = checked_count(integer_of(v), 1, v.where); }},
    {"sampling", "temp", [](RunSettings& s, const Value& v) { s.sampling.temperature = checked_temperature(number_of(v), v.where); }},
    {"sampling", "top_k", [](RunSettings& s, const Value& v) { s.sampling.top_k = checked_top_k(integer_of(v), v.where); }},
    {"sampling", "top_p", [](RunSettings& s, const Value& v) { s.sampling.top_p = checked_top_p(number_of(v), v.where); }},
    {"sampling", "repeat_penalty",
     [](RunSettings& s, const Value& v) { s.sampling.repeat_penalty = checked_repeat_penalty(number_of(v), v.where); }},
    {"sampling", "repeat_last_n",
     [](RunSettings& s, const Value& v) { s.sampling.repeat_last_n = checked_repeat_last_n(integer_of(v), v.where); }},
    {"sampling", "seed", [](RunSettings& s, const Value& v) {
         const auto seed = integer_of(v);
         if (seed < 0)
             throw ConfigError(fmt::format("{}: must be 0 or more, not {}", v.where, seed));
         s.seed = static_cast<std::uint64_t>(seed);
     }},
};

const Key* find_key(std::string_view section, std::string_view name)
{
    for (const auto& k : kKeys)
        if (section == k.section && name == k.name)
            return &k;
    return nullptr;
}

bool known_section(std::string_view section)
{
    for (const auto& k : kKeys)
        if (section == k.section)
            return true;
    return false;
}

toml::table parse(const std::filesystem::path& path)
{
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path))
        throw ConfigError(fmt::format("{}: cannot read config: {}", file,
                                      std::filesystem::is_directory(path) ? "is a directory" : std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return toml::parse(text.str(), file);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: not valid TOML: {}", file, e.source().begin.line,
                                      e.source().begin.column, e.description()));
    }
}

} // namespace

void apply_config_file(RunSettings& s, const std::filesystem::path& path)
{
    const std::string file = path.string();
    const toml::table root = parse(path);
    for (const auto& [section, node] : root) {
        const auto* table = node.as_table();
        if (table == nullptr || !known_section(section.str()))
            throw ConfigError(fmt::format("{}: unknown {} '{}' (sections: model, memory, planner, io, compute, "
                                          "monitor, sampling)",
                                          file, table ? "section" : "key", section.str()));
        for (const auto& [name, value] : *table) {
            const Key* key = find_key(section.str(), name.str());
            if (key == nullptr)
                throw ConfigError(fmt::format("{}: unknown key '{}.{}'", file, section.str(), name.str()));
            key->apply(s, Value{value, fmt::format("{}: {}.{}", file, section.str(), name.str()), path});
        }
    }
    s.config_file = path;
}

} // namespace edge_rt::cli
