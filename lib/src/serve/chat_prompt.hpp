// Chat messages to prompt token ids: the model's chat template (read from its file, or named
// by the server's settings, chatml when neither says), rendered and tokenized with special
// tokens parsed, so "<|im_start|>" becomes the control token the model was trained on.
#pragma once

#include "chat/chat_template.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace edge_rt::model {
class Tokenizer;
}

namespace edge_rt::serve {

/// The chat format a server renders with.
struct ChatFormat {
    chat::Template tmpl;
    chat::SpecialTexts special;
    std::string source;                     ///< where it came from, for the start-up log
    std::string end_of_turn;                ///< the text that ends an assistant turn
    std::optional<std::int32_t> end_of_turn_id; ///< that text as one token, when it is one
};

/// The Jinja chat template stored with a model: GGUF `tokenizer.chat_template`, or
/// `chat_template` in the tokenizer_config.json beside a SafeTensors model; nullopt when none.
/// Throws FormatError / IoError naming the file when it cannot be read.
std::optional<std::string> read_chat_template(const std::string& model_path);

/// Resolves the format: `name` (a built-in template) if given, else the model's template if it
/// is one of the built-in formats, else chatml. Throws ConfigError for an unknown name.
ChatFormat resolve_chat_format(const std::string& name, const std::string& model_path, const model::Tokenizer* tok,
                               std::optional<std::int32_t> bos, std::optional<std::int32_t> eos);

/// The prompt ids of a conversation (ends with the assistant header). Throws ApiError 400 for
/// an order the template refuses.
std::vector<std::int32_t> chat_prompt_ids(const ChatFormat& f, const model::Tokenizer& tok,
                                          std::span<const chat::Message> messages);

} // namespace edge_rt::serve
