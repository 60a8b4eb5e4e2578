// What Hugging Face keeps beside vocab.json + merges.txt: tokenizer_config.json (tokenizer
// class, added tokens, BOS/EOS) and added_tokens.json.
#pragma once

#include "tokenizer/gpt2_tokenizer.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace edge_rt::model {

/// Reads tokenizer_config.json and added_tokens.json in `dir` when present: the added tokens,
/// the BOS/EOS tokens and add_bos_token, and, with `class_decides_pretokenizer` (vocab.json +
/// merges.txt say nothing about it), the pre-tokenizer its tokenizer_class implies
/// (Qwen2Tokenizer: qwen2; GPT-2 and CodeGen: gpt2; another class is refused, naming the file).
void apply_tokenizer_config(Gpt2Vocab& vocab, const std::filesystem::path& dir, bool class_decides_pretokenizer);

/// The special token a tokenizer.json's TemplateProcessing post-processor (alone or in a
/// Sequence) puts before the text: the BOS that encoding adds ("<s>", "<|begin_of_text|>").
std::optional<std::string> template_bos(const nlohmann::json& root);

/// The chat_template of tokenizer_config.json in `dir` (a string, or the entry named "default"
/// of a list); nullopt without the file or the key. FormatError naming the file otherwise.
std::optional<std::string> folder_chat_template(const std::filesystem::path& dir);

} // namespace edge_rt::model
