// Chat templates: the prompt formats instruct models were trained on, as built-in renderers.
// A model ships its format as a Jinja template (GGUF `tokenizer.chat_template`, or
// `chat_template` in tokenizer_config.json); rather than run Jinja, the template text is
// recognised as one of the common formats and rendered by C++ that produces the same bytes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::chat {

/// The built-in formats.
enum class TemplateKind { Llama2, Llama3, ChatML, Zephyr, Phi3, Gemma, Mistral };

/// One message of a conversation: role "system", "user" or "assistant".
struct Message {
    std::string role;
    std::string content;
};

/// A recognised template: its format plus the variations within a format that change bytes.
struct Template {
    TemplateKind kind = TemplateKind::ChatML;
    /// phi3 only: the original Phi-3 template starts with BOS (and writes no EOS at the end).
    bool bos_prefix = false;
    /// ChatML only: the system prompt written when the conversation has none (Qwen2's).
    std::optional<std::string> default_system;
};

/// The special texts a template writes: the model's BOS and EOS token texts ("<s>", "</s>").
struct SpecialTexts {
    std::string bos;
    std::string eos;
};

/// A template's canonical name: "llama2", "llama3", "chatml", "zephyr", "phi3", "gemma", "mistral".
std::string_view template_name(TemplateKind kind);

/// Every canonical name, comma-separated, for messages and --help.
std::string template_names();

/// The kind named `name` (canonical names and the aliases llama-2, llama-3, phi-3, tinyllama);
/// nullopt when unknown.
std::optional<TemplateKind> template_from_name(std::string_view name);

/// Recognises a Jinja chat template's text by the markers only its format writes, with its
/// variations (a leading BOS, a default system prompt); nullopt when it is none of the
/// built-in formats.
std::optional<Template> detect_template(std::string_view jinja);

/// The system prompt a ChatML template writes when the conversation has none (Qwen2's "You are
/// a helpful assistant."): `{% set system_message = '…' %}` or a string literal
/// `'<|im_start|>system\n…<|im_end|>`, escapes decoded; nullopt when the template has none.
std::optional<std::string> default_system_prompt(std::string_view jinja);

/// Renders `messages` as the model's own template does (Hugging Face apply_chat_template with
/// trim_blocks/lstrip_blocks, as the model cards' templates are written), followed by the
/// assistant header when `add_generation_prompt`. Throws std::invalid_argument for an unknown
/// role or an order the template refuses (llama2/mistral: user and assistant must alternate).
/// Formats with no system role (gemma, mistral) put the system text before the first user
/// message, separated by a blank line, as llama.cpp does.
std::string render(const Template& tmpl, std::span<const Message> messages, bool add_generation_prompt,
                   const SpecialTexts& special);

/// The text that ends an assistant turn: "<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>",
/// or the EOS text for the formats that end turns with EOS.
std::string end_of_turn(TemplateKind kind, const SpecialTexts& special);

} // namespace edge_rt::chat
