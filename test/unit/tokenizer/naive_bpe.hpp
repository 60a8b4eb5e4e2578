// Deliberately simple reference encoders the library's queue-based ones are checked against:
// they rescan every adjacent pair after each merge (quadratic, fine for test strings) and read
// the vocabularies on their own, not through the library's loaders.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edge_rt::test {

struct NaiveSpmVocab {
    std::unordered_map<std::string, std::int32_t> ids;
    std::vector<float> scores;
    std::vector<std::int32_t> types;
};

/// tokenizer.ggml.tokens/scores/token_type of a "llama" GGUF.
NaiveSpmVocab read_naive_spm_vocab(const std::filesystem::path& gguf);

/// SentencePiece BPE of valid UTF-8 `text` with the dummy-prefix space, no BOS: merge the
/// best-scoring (then leftmost) pair that is a normal token, repeat; unknown characters become
/// <0xNN> byte tokens.
std::vector<std::int32_t> naive_spm_encode(const NaiveSpmVocab& vocab, std::string_view text);

struct NaiveGpt2Vocab {
    std::unordered_map<std::string, std::int32_t> ids;
    std::unordered_map<std::string, std::int32_t> ranks; // "a b" -> rank
};

NaiveGpt2Vocab read_naive_gpt2_vocab(const std::filesystem::path& encoder_json,
                                     const std::filesystem::path& vocab_bpe);

/// GPT-2's original loop on each pre-tokenized word: find the lowest-ranked pair, merge every
/// occurrence left to right, repeat.
std::vector<std::int32_t> naive_gpt2_encode(const NaiveGpt2Vocab& vocab,
                                            const std::vector<std::string_view>& words);

/// GPT-2's byte -> character table, built as OpenAI's bytes_to_unicode() describes it, UTF-8.
std::string naive_byte_level(std::string_view bytes);

} // namespace edge_rt::test
