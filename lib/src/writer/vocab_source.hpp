// The vocabulary a synthetic model carries: copied from a GGUF file or GPT-2 tokenizer files
// (--vocab-from), or made up (byte-complete, so any text encodes).
#pragma once

#include "model/gguf.hpp"
#include "model/model_config.hpp"
#include "tokenizer/tokenizer.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace edge_rt::model {

struct VocabPlan {
    std::uint32_t n_vocab = 0;
    std::vector<std::pair<std::string, GgufValue>> gguf_metadata; // tokenizer.* keys, for GGUF
    std::vector<std::filesystem::path> files;                     // copied beside SafeTensors
    std::string description;                                      // for the CLI's report
};

/// The vocabulary of `source` for a GGUF model: a GGUF file's tokenizer.* metadata, or a GPT-2
/// byte-level BPE (tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe, or a folder
/// holding one) as tokenizer.ggml.model "gpt2". Throws FormatError / IoError naming the file.
VocabPlan vocab_for_gguf(const std::filesystem::path& source);

/// The tokenizer files of `source` (a file or a folder) to copy beside SafeTensors weights.
/// A GGUF source is refused with ConfigError (its vocabulary has no SafeTensors-side form here).
VocabPlan vocab_for_safetensors(const std::filesystem::path& source);

/// The GGUF form (tokenizer.ggml.*) of a loaded tokenizer: SentencePiece as model "llama" with
/// scores, byte-level BPE as "gpt2" with merges and its pre-tokenizer's name; padded with unused
/// "[PADn]" tokens up to `min_tokens` (an embedding with more rows than the tokenizer has tokens).
VocabPlan vocab_of_tokenizer(const Tokenizer& tokenizer, std::uint32_t min_tokens = 0);

/// A made-up GGUF vocabulary of `n_vocab` tokens: Llama gets a SentencePiece one (<unk>, <s>,
/// </s>, the 256 byte tokens, then filler pieces), GPT-2 a byte-level BPE one (the 256 byte
/// characters, filler pieces, <|endoftext|> last) without merges.
VocabPlan synthetic_vocab(Arch arch, std::uint32_t n_vocab);

} // namespace edge_rt::model
