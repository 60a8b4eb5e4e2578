#include "tokenizer/hf_tokenizer_config.hpp"
#include "tokenizer/loaders.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace edge_rt::model {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what)
{
    throw FormatError(fmt::format("{}: {}", path.string(), what));
}

json read_json(const std::filesystem::path& path)
{
    try {
        return json::parse(read_whole_file(path));
    } catch (const json::exception& e) { // parse errors and number overflow (out_of_range 406)
        fail(path, fmt::format("not valid JSON ({})", e.what()));
    }
}

// Puts an added token at `id` (replacing what vocab.json may say there).
void add_token(Gpt2Vocab& v, const std::filesystem::path& path, const json& id, const std::string& text,
               bool special)
{
    if (!id.is_number_unsigned() || id.get<std::uint64_t>() >= (1u << 24))
        fail(path, fmt::format("added token {:?} has id {}, expected a token id", text, id.dump()));
    const auto i = id.get<std::size_t>();
    if (i >= v.pieces.size()) {
        v.pieces.resize(i + 1);
        v.types.resize(i + 1, TokenType::Unused);
    }
    v.pieces[i] = text;
    v.types[i] = special ? TokenType::Control : TokenType::UserDefined;
}

// A token named in the config ("eos_token": "<|im_end|>" or {"content": ...}), as an id.
std::optional<std::int32_t> named_token(const Gpt2Vocab& v, const json& config, const char* key)
{
    const auto it = config.find(key);
    if (it == config.end() || it->is_null())
        return std::nullopt;
    const json& text = it->is_object() ? it->value("content", json()) : *it;
    if (!text.is_string())
        return std::nullopt;
    for (std::size_t i = 0; i < v.pieces.size(); ++i)
        if (v.pieces[i] == text.get_ref<const std::string&>())
            return static_cast<std::int32_t>(i);
    return std::nullopt;
}

void read_config(Gpt2Vocab& v, const std::filesystem::path& path, bool class_decides_pretokenizer)
{
    const json config = read_json(path);
    if (!config.is_object())
        fail(path, "expected a JSON object at the top");
    const std::string cls = config.value("tokenizer_class", "");
    if (class_decides_pretokenizer) { // tokenizer.json names its pre-tokenizer itself
        if (cls == "Qwen2Tokenizer" || cls == "Qwen2TokenizerFast")
            v.pre = PreTokenizer::Qwen2;
        else if (!cls.empty() && !cls.starts_with("GPT2Tokenizer") && !cls.starts_with("CodeGenTokenizer"))
            fail(path, fmt::format("tokenizer_class {:?} is not supported with vocab.json + merges.txt (known: "
                                   "GPT2Tokenizer, CodeGenTokenizer, Qwen2Tokenizer)",
                                   cls));
    }
    if (const auto added = config.find("added_tokens_decoder"); added != config.end() && added->is_object()) {
        for (const auto& [id_text, token] : added->items()) {
            if (!token.is_object() || !token.contains("content") || !token["content"].is_string())
                fail(path, fmt::format("added_tokens_decoder entry {} needs a content string", id_text));
            json id;
            try {
                id = std::stoull(id_text);
            } catch (const std::exception&) {
                fail(path, fmt::format("added_tokens_decoder key {:?} is not a token id", id_text));
            }
            add_token(v, path, id, token["content"].get<std::string>(), token.value("special", false));
        }
    }
    if (config.contains("bos_token"))
        v.bos = named_token(v, config, "bos_token");
    if (const auto eos = named_token(v, config, "eos_token"))
        v.eos = eos;
    if (const auto it = config.find("add_bos_token"); it != config.end() && it->is_boolean())
        v.add_bos = it->get<bool>();
}

} // namespace

std::optional<std::string> template_bos(const json& root)
{
    const json post = root.value("post_processor", json());
    const auto is = [](const json& j, std::string_view type) {
        return j.is_object() && j.contains("type") && j["type"].is_string() && j["type"].get<std::string>() == type;
    };
    const bool sequence = is(post, "Sequence") && post.contains("processors") && post["processors"].is_array();
    const json steps = sequence ? post["processors"] : json::array({post});
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const json& step = steps[i];
        if (!is(step, "TemplateProcessing") || !step.contains("single") || !step["single"].is_array() ||
            step["single"].empty() || !step["single"][0].is_object() || !step["single"][0].contains("SpecialToken"))
            continue;
        const json id = step["single"][0]["SpecialToken"].value("id", json());
        if (id.is_string())
            return id.get<std::string>();
    }
    return std::nullopt;
}

void apply_tokenizer_config(Gpt2Vocab& v, const std::filesystem::path& dir, bool class_decides_pretokenizer)
{
    // added_tokens.json first: the config's added_tokens_decoder says which are special.
    if (const auto path = dir / "added_tokens.json"; std::filesystem::exists(path)) {
        const json added = read_json(path);
        if (!added.is_object())
            fail(path, "expected an object of token -> id");
        for (const auto& [text, id] : added.items())
            add_token(v, path, id, text, false);
    }
    if (const auto path = dir / "tokenizer_config.json"; std::filesystem::exists(path)) {
        try {
            read_config(v, path, class_decides_pretokenizer);
        } catch (const json::exception& e) {
            fail(path, fmt::format("unexpected JSON contents ({})", e.what()));
        }
    }
}

} // namespace edge_rt::model

namespace edge_rt::model {

std::optional<std::string> folder_chat_template(const std::filesystem::path& dir)
{
    const auto path = dir / "tokenizer_config.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return std::nullopt;
    const json config = read_json(path);
    const auto it = config.is_object() ? config.find("chat_template") : config.end();
    if (it == config.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_array()) // several named templates: the default one is the chat format
        for (const auto& entry : *it)
            if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
                entry["template"].is_string())
                return entry["template"].get<std::string>();
    fail(path, "chat_template is neither a string nor a list with a \"default\" template");
}

} // namespace edge_rt::model
