// Where a model keeps its Jinja chat template: GGUF `tokenizer.chat_template`, or
// `chat_template` in tokenizer_config.json beside a Hugging Face model. (In api, not chat: it
// reads model files, and chat depends on nothing above core.)
#pragma once

#include "model/gguf.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace edge_rt::api {

struct TemplateText {
    std::string text;
    std::string source; // "tokenizer.chat_template" or the tokenizer_config.json path
};

/// The model's template text, nullopt when it has none. A GGUF model's header is `gguf`;
/// otherwise `model_path` is a folder or a .safetensors file whose folder may hold
/// tokenizer_config.json. Its chat_template may be a string or a list of {name, template}
/// (the one named "default" is taken). Throws FormatError naming the file for bad JSON.
std::optional<TemplateText> model_template_text(const std::optional<model::GgufFile>& gguf,
                                                const std::filesystem::path& model_path);

} // namespace edge_rt::api
