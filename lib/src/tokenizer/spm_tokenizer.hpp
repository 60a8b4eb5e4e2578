// SentencePiece-style BPE (the Llama tokenizer): merges the adjacent pair whose concatenation is
// the highest-scoring vocabulary entry until none is left, then falls back to byte tokens.
#pragma once

#include "tokenizer/string_map.hpp"
#include "tokenizer/token_type.hpp"
#include "tokenizer/tokenizer.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::model {

/// A SentencePiece vocabulary as files store it; `source` names the file for error messages.
struct SpmVocab {
    std::string source;
    std::vector<std::string> pieces; // "▁Once", "<0x0A>", "<s>"
    std::vector<float> scores;       // merge priority: higher merges first
    std::vector<TokenType> types;
    std::optional<std::int32_t> bos;
    std::optional<std::int32_t> eos;
    std::optional<std::int32_t> unk;
    bool add_bos = true;
    bool add_space_prefix = true;
};

/// The byte a "<0xNN>" piece stands for (two upper- or lower-case hex digits).
std::optional<std::uint8_t> parse_byte_piece(std::string_view piece);

class SpmTokenizer final : public Tokenizer {
public:
    /// Checks the vocabulary (sizes agree, ids in range, byte tokens well formed) and indexes
    /// it; throws FormatError naming vocab.source.
    explicit SpmTokenizer(SpmVocab vocab);

    std::string token_bytes(std::int32_t id) const override;
    std::string piece(std::int32_t id) const override;
    std::size_t vocab_size() const override { return vocab_.pieces.size(); }
    std::optional<std::int32_t> bos() const override { return vocab_.bos; }
    std::optional<std::int32_t> eos() const override { return vocab_.eos; }
    bool add_bos_by_default() const override { return vocab_.add_bos; }
    bool adds_space_prefix() const override { return vocab_.add_space_prefix; }
    const std::vector<SpecialToken>& special_tokens() const override { return specials_; }
    /// The vocabulary as loaded (for writing it into a GGUF).
    const SpmVocab& vocab() const { return vocab_; }

protected:
    std::vector<std::int32_t> encode_text(std::string_view text, bool add_bos) const override;

private:
    void validate() const;
    void index();
    /// The id of a vocabulary entry that text may be merged into, if `text` is one.
    std::optional<std::int32_t> mergeable_id(std::string_view text) const;
    /// Appends the id of a final symbol, or its byte-fallback ids (unk without byte tokens).
    void append_symbol(std::string_view symbol, std::vector<std::int32_t>& out) const;
    std::size_t checked_index(std::int32_t id) const;

    SpmVocab vocab_;
    StringMap<std::int32_t> ids_;
    std::vector<SpecialToken> specials_;
    std::array<std::int32_t, 256> byte_ids_{}; // -1 where the vocabulary has no <0xNN>
};

} // namespace edge_rt::model
