// GPT-2 byte-level BPE: pre-tokenize, spell each word's bytes as byte-level characters, then apply
// the ranked merges (lowest rank first) within each word.
#pragma once

#include "tokenizer/pretokenizer.hpp"
#include "tokenizer/string_map.hpp"
#include "tokenizer/token_type.hpp"
#include "tokenizer/tokenizer.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace edge_rt::model {

/// A byte-level BPE vocabulary as files store it; `source` names the file for error messages.
struct Gpt2Vocab {
    std::string source;
    std::vector<std::string> pieces;  // byte-level spellings ("Ġthe"); "" for unassigned ids
    std::vector<TokenType> types;     // Control for special tokens, Unused for unassigned ids
    std::vector<std::pair<std::string, std::string>> merges; // in rank order
    std::optional<std::int32_t> bos;
    std::optional<std::int32_t> eos;
    bool add_bos = false;
    bool add_prefix_space = false; // HF ByteLevel's add_prefix_space
    PreTokenizer pre = PreTokenizer::Gpt2;
    /// Llama 3: a pre-token that is itself a vocabulary entry is emitted whole, unmerged.
    bool ignore_merges = false;
};

class Gpt2Tokenizer final : public Tokenizer {
public:
    /// Checks and indexes the vocabulary; throws FormatError naming vocab.source when sizes
    /// disagree, ids are out of range, or a merge uses or makes a token the vocabulary lacks.
    explicit Gpt2Tokenizer(Gpt2Vocab vocab);

    std::string token_bytes(std::int32_t id) const override;
    std::string piece(std::int32_t id) const override;
    std::size_t vocab_size() const override { return pieces_.size(); }
    std::optional<std::int32_t> bos() const override { return bos_; }
    std::optional<std::int32_t> eos() const override { return eos_; }
    bool add_bos_by_default() const override { return add_bos_; }
    const std::vector<SpecialToken>& special_tokens() const override { return specials_; }
    /// How text is cut into words before BPE.
    PreTokenizer pre_tokenizer() const { return pre_; }
    /// The vocabulary as a file would hold it again (merges in rank order, a repeated pair
    /// once): what `quantize` writes into a GGUF for a Hugging Face folder.
    Gpt2Vocab vocab() const;

protected:
    std::vector<std::int32_t> encode_text(std::string_view text, bool add_bos) const override;

private:
    struct Merge {
        std::int32_t rank;
        std::int32_t result;
    };

    void validate(const Gpt2Vocab& vocab) const;
    void index_tokens();
    void index_merges(const std::vector<std::pair<std::string, std::string>>& merges);
    /// Appends the ids of one pre-tokenized word.
    void encode_word(std::string_view word, std::vector<std::int32_t>& out) const;
    std::optional<Merge> find_merge(std::int32_t left, std::int32_t right) const;
    std::size_t checked_index(std::int32_t id) const;

    std::string source_;
    std::vector<std::string> pieces_;
    std::vector<TokenType> types_;
    std::vector<std::string> bytes_; // what each token decodes to
    std::optional<std::int32_t> bos_;
    std::optional<std::int32_t> eos_;
    bool add_bos_ = false;
    bool add_prefix_space_ = false;
    PreTokenizer pre_ = PreTokenizer::Gpt2;
    bool ignore_merges_ = false;
    std::vector<SpecialToken> specials_;
    StringMap<std::int32_t> ids_;                        // mergeable pieces only
    std::array<std::int32_t, 256> byte_ids_{};           // the single-byte tokens; -1 if absent
    std::unordered_map<std::uint64_t, Merge> merges_;    // key: left id << 32 | right id
};

} // namespace edge_rt::model
