#include "serve/chat_prompt.hpp"

#include "edge_rt/error.hpp"
#include "model/gguf.hpp"
#include "serve/api_error.hpp"
#include "tokenizer/tokenizer.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace edge_rt::serve {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> hf_chat_template(const fs::path& dir)
{
    const fs::path path = dir / "tokenizer_config.json";
    if (!fs::exists(path))
        return std::nullopt;
    std::ifstream in(path);
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        throw FormatError(fmt::format("{}: not a JSON object", path.string()));
    const auto it = doc.find("chat_template");
    if (it == doc.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        throw FormatError(fmt::format("{}: chat_template is not a string (named templates are not supported)",
                                      path.string()));
    return it->get<std::string>();
}

std::optional<std::int32_t> single_token(const model::Tokenizer& tok, const std::string& text)
{
    for (const auto& s : tok.special_tokens())
        if (s.text == text)
            return s.id;
    return std::nullopt;
}

} // namespace

std::optional<std::string> read_chat_template(const std::string& model_path)
{
    if (model_path.empty())
        return std::nullopt;
    const fs::path path(model_path);
    if (fs::is_directory(path))
        return hf_chat_template(path);
    if (path.extension() == ".safetensors")
        return hf_chat_template(path.parent_path());
    return model::read_gguf(path).get_string("tokenizer.chat_template");
}

ChatFormat resolve_chat_format(const std::string& name, const std::string& model_path, const model::Tokenizer* tok,
                               std::optional<std::int32_t> bos, std::optional<std::int32_t> eos)
{
    ChatFormat f;
    if (!name.empty()) {
        const auto kind = chat::template_from_name(name);
        if (!kind)
            throw ConfigError(fmt::format("unknown chat template '{}' (known: {})", name, chat::template_names()));
        f.tmpl.kind = *kind;
        f.source = "named " + std::string(chat::template_name(*kind));
    } else if (const auto jinja = read_chat_template(model_path)) {
        if (const auto t = chat::detect_template(*jinja)) {
            f.tmpl = *t;
            f.source = "the model's (" + std::string(chat::template_name(t->kind)) + ")";
        } else {
            f.source = "chatml (the model's template is not one of the built-in formats)";
        }
    } else {
        f.source = "chatml (the model has no chat template)";
    }
    if (tok) {
        if (bos)
            f.special.bos = tok->piece(*bos);
        if (eos)
            f.special.eos = tok->piece(*eos);
    }
    f.end_of_turn = chat::end_of_turn(f.tmpl.kind, f.special);
    if (tok && !f.end_of_turn.empty())
        f.end_of_turn_id = single_token(*tok, f.end_of_turn);
    return f;
}

std::vector<std::int32_t> chat_prompt_ids(const ChatFormat& f, const model::Tokenizer& tok,
                                          std::span<const chat::Message> messages)
{
    std::string text;
    try {
        text = chat::render(f.tmpl, messages, true, f.special);
    } catch (const std::invalid_argument& e) {
        throw bad_request("messages", e.what());
    }
    // Templates that write BOS carry it in the text; otherwise the model's own rule adds it.
    const bool has_bos = !f.special.bos.empty() && text.starts_with(f.special.bos);
    return tok.encode(text, tok.add_bos_by_default() && !has_bos, true);
}

} // namespace edge_rt::serve
