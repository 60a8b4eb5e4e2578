#include "tokenizer/hf_json.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>

namespace edge_rt::model::hf {

using nlohmann::json;

bool is_type(const json& j, std::string_view type)
{
    return j.is_object() && j.contains("type") && j["type"].is_string() && j["type"].get<std::string>() == type;
}

std::int32_t token_id(const json& value, const std::string& source, std::string_view what)
{
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 || value.get<std::int64_t>() >= kMaxTokenId)
        throw FormatError(fmt::format("{}: {} has id {}, expected a token id from 0 to {}", source, what, value.dump(),
                                      kMaxTokenId - 1));
    return value.get<std::int32_t>();
}

std::vector<AddedToken> added_tokens(const json& root, const std::string& source)
{
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
        return {};
    if (!it->is_array())
        throw FormatError(fmt::format("{}: added_tokens is not an array", source));
    std::vector<AddedToken> out;
    for (const auto& t : *it) {
        if (!t.is_object() || !t.contains("id") || !t.contains("content") || !t["content"].is_string())
            throw FormatError(
                fmt::format("{}: added_tokens entry {} needs an id and a content string", source, t.dump()));
        const auto special = t.find("special");
        if (special != t.end() && !special->is_boolean())
            throw FormatError(fmt::format("{}: added_tokens entry {}: special is not true or false", source, t.dump()));
        auto content = t["content"].get<std::string>();
        const auto id = token_id(t["id"], source, fmt::format("added token {:?}", content));
        out.push_back({id, std::move(content), special != t.end() && special->get<bool>()});
    }
    return out;
}

} // namespace edge_rt::model::hf
