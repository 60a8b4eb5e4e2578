// What Hugging Face keeps beside vocab.json + merges.txt: tokenizer_config.json (tokenizer
// class, added tokens, BOS/EOS) and added_tokens.json.
#pragma once

#include "model/tokenizer/gpt2_tokenizer.hpp"

#include <filesystem>

namespace edge_rt::model {

/// Reads tokenizer_config.json and added_tokens.json in `dir` when present: the pre-tokenizer
/// its tokenizer_class implies (Qwen2Tokenizer: qwen2; GPT-2 and CodeGen: gpt2; another class
/// is refused, naming the file), the added tokens, and the BOS/EOS tokens and add_bos_token.
void apply_tokenizer_config(Gpt2Vocab& vocab, const std::filesystem::path& dir);

} // namespace edge_rt::model
