#include "api/chat_source.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace edge_rt::api {
namespace {

std::optional<std::string> config_template(const json& config, const fs::path& path)
{
    const auto it = config.find("chat_template");
    if (it == config.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_array()) // several named templates: the default one is the chat format
        for (const auto& entry : *it)
            if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
                entry["template"].is_string())
                return entry["template"].get<std::string>();
    throw FormatError(fmt::format("{}: chat_template is neither a string nor a list with a \"default\" template",
                                  path.string()));
}

} // namespace

std::optional<TemplateText> model_template_text(const std::optional<model::GgufFile>& gguf,
                                                const fs::path& model_path)
{
    if (gguf) {
        if (auto text = gguf->get_string("tokenizer.chat_template"))
            return TemplateText{std::move(*text), "tokenizer.chat_template"};
        return std::nullopt;
    }
    const fs::path dir = fs::is_directory(model_path) ? model_path : model_path.parent_path();
    const fs::path path = dir / "tokenizer_config.json";
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    json config;
    try {
        config = json::parse(bytes);
    } catch (const json::parse_error& e) {
        throw FormatError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
    }
    if (auto text = config_template(config, path))
        return TemplateText{std::move(*text), path.string()};
    return std::nullopt;
}

} // namespace edge_rt::api
