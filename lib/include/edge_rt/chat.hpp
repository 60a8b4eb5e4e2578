// Chat templates on the public API: the prompt format an instruct model was trained on, taken
// from the model (GGUF `tokenizer.chat_template`, or `chat_template` in a Hugging Face folder's
// tokenizer_config.json) or chosen by name, rendered by built-in C++ renderers that write the
// same bytes as the model's Jinja template (llama2, llama3, chatml, zephyr, phi3, gemma, mistral).
//
// A chat turn: render the messages with add_generation_prompt, generate with parse_special
// (the rendered text holds special tokens) and the template's end_of_turn_ids() as stop ids.
// To continue in the same Session (GenerateRequest::keep_context), send only the text the
// conversation gained since the tokens already in the KV cache (see ChatHistory in the CLI).
#pragma once

#include "edge_rt/export.hpp"
#include "edge_rt/model.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt {

/// One message of a conversation: role "system", "user" or "assistant".
struct ChatMessage {
    std::string role;
    std::string content;
};

class EDGE_RT_API ChatTemplate {
public:
    /// The template of `model`, or the one called `name` when it is not empty (canonical names
    /// from names(), and the aliases llama-2, llama-3, phi-3, tinyllama). Throws ConfigError
    /// with one line: an unknown name (listing the known ones), a model template that is none
    /// of the built-in formats (saying where it came from), a model without a template.
    static ChatTemplate for_model(const Model& model, std::string_view name = {});
    /// The built-in templates' names, comma-separated.
    static std::string names();

    /// The canonical name: "chatml", "llama3", …
    std::string name() const;
    /// Where the template came from: "tokenizer.chat_template", "…/tokenizer_config.json", or
    /// "--chat-template" style: "chosen by name".
    std::string source() const;
    /// The system prompt the template writes when the conversation has none (Qwen2's), if any.
    std::optional<std::string> default_system() const;
    /// The text as the model's template renders `messages`, followed by the assistant's header
    /// when `add_generation_prompt`. Throws ConfigError for an unknown role or an order the
    /// template refuses (llama2/mistral: user and assistant alternate).
    std::string render(std::span<const ChatMessage> messages, bool add_generation_prompt) const;
    /// The text that ends an assistant turn ("<|im_end|>", "<|eot_id|>", or the EOS text).
    std::string end_of_turn() const;
    /// The token ids that end an assistant turn: the end-of-turn text's id when it is one token
    /// of the model's vocabulary, and the model's EOS. Empty for a model without a tokenizer.
    std::vector<std::int32_t> end_of_turn_ids() const;
    /// The token whose text is end_of_turn(), when the model's vocabulary has it as one token.
    std::optional<std::int32_t> end_of_turn_id() const;
    /// The BOS text of the model's vocabulary ("<s>"), empty when it has none: a rendering that
    /// starts with it needs no BOS added when it is tokenized.
    std::string bos_text() const;

    struct Impl; ///< internal (opaque to users)

private:
    explicit ChatTemplate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

} // namespace edge_rt
