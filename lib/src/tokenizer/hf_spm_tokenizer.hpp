// Hugging Face tokenizer.json of the SentencePiece kind (Llama 2, TinyLlama, Mistral).
#pragma once

#include "tokenizer/tokenizer.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace edge_rt::model {

/// Whether the tokenizer.json is SentencePiece-style BPE (byte fallback, "▁" for spaces) rather
/// than byte-level BPE. FormatError naming `source` for a value of the wrong type on the way.
bool is_spm_tokenizer_json(const std::string& source, const nlohmann::json& root);

/// The tokenizer of such a file; FormatError naming `source` for normalizers, pre-tokenizers or
/// contents it does not reproduce.
std::unique_ptr<Tokenizer> load_spm_tokenizer_json(const std::string& source, const nlohmann::json& root);

} // namespace edge_rt::model
