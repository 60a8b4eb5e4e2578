// The tokenizer file formats load_tokenizer() recognises, one loader each.
#pragma once

#include "tokenizer/tokenizer.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace edge_rt::model {

/// The whole file as bytes; IoError naming it when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

/// A Hugging Face tokenizer.json of a byte-level BPE model (GPT-2 style).
std::unique_ptr<Tokenizer> load_tokenizer_json(const std::filesystem::path& path);

/// A vocabulary JSON object (vocab.json / encoder.json) and its merges list (merges.txt /
/// vocab.bpe), GPT-2 byte-level BPE.
std::unique_ptr<Tokenizer> load_vocab_and_merges(const std::filesystem::path& vocab,
                                                 const std::filesystem::path& merges);

/// Llama 3's tiktoken tokenizer.model (base64 token bytes and rank per line), with Llama 3's
/// pre-tokenizer and special tokens.
std::unique_ptr<Tokenizer> load_tiktoken(const std::filesystem::path& path);

/// llama2.c's tokenizer.bin: int32 max_token_length, then per token float32 score, int32 length
/// and the bytes (spaces instead of U+2581).
std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::filesystem::path& path);

} // namespace edge_rt::model
