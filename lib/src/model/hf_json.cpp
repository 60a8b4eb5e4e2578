#include "model/hf_json.hpp"

#include "edge_rt/error.hpp"
#include "io/file.hpp"

#include <fmt/format.h>
#include <set>
#include <vector>

namespace edge_rt::model {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] ": keep the part that
// says where and what.
std::string describe(const nlohmann::json::exception& e)
{
    std::string_view what = e.what();
    if (const auto pos = what.find("] "); what.starts_with("[json.exception") && pos != what.npos)
        what.remove_prefix(pos + 2);
    return printable(what);
}

} // namespace

std::string printable(std::string_view s)
{
    constexpr std::size_t kMaxShown = 160;
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (out.size() >= kMaxShown && (c & 0xc0u) != 0x80u) { // never cut a UTF-8 sequence
            out += "...";
            break;
        }
        if (c < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", c);
        else
            out += ch;
    }
    return out;
}

nlohmann::json parse_json_strict(std::string_view text, const std::string& path, int max_depth)
{
    using Event = nlohmann::json::parse_event_t;
    // One set of keys per open object; arrays push nothing, so depth is tracked separately.
    std::vector<std::set<std::string>> keys;
    int depth = 0;
    const auto guard = [&](int, Event event, nlohmann::json& parsed) {
        switch (event) {
        case Event::object_start:
        case Event::array_start:
            if (++depth > max_depth)
                throw FormatError(fmt::format("{}: JSON nests deeper than {} levels", path, max_depth));
            if (event == Event::object_start)
                keys.emplace_back();
            break;
        case Event::object_end:
            keys.pop_back();
            --depth;
            break;
        case Event::array_end:
            --depth;
            break;
        case Event::key:
            if (!keys.back().insert(parsed.get<std::string>()).second)
                throw FormatError(fmt::format("{}: JSON key \"{}\" appears twice in one object", path,
                                              printable(parsed.get<std::string>())));
            break;
        case Event::value:
            break;
        }
        return true;
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end(), guard);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(fmt::format("{}: bad JSON: {}", path, describe(e)));
    }
}

nlohmann::json read_json_file(const std::filesystem::path& path, std::uint64_t max_bytes, int max_depth)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw FormatError(fmt::format("{}: missing (no such file)", path.string()));
    io::File file(path);
    if (file.size() > max_bytes)
        throw FormatError(fmt::format("{}: {} bytes is more than the {}-byte limit for this file",
                                      file.path(), file.size(), max_bytes));
    std::string text(static_cast<std::size_t>(file.size()), '\0');
    file.read_exact(0, std::as_writable_bytes(std::span(text)));
    return parse_json_strict(text, file.path(), max_depth);
}

} // namespace edge_rt::model
