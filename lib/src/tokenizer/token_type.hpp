// What a vocabulary entry is, numbered as GGUF's tokenizer.ggml.token_type numbers it.
#pragma once

#include <cstdint>

namespace edge_rt::model {

enum class TokenType : std::int32_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,      // BOS, EOS, <|endoftext|>: never produced from text, decode to nothing
    UserDefined = 4,  // kept verbatim when decoding
    Unused = 5,
    Byte = 6,         // SentencePiece byte fallback <0xNN>
};

/// Whether encoding may produce this entry by merging text symbols. Control, byte, unknown and
/// unused entries only ever come from their dedicated paths (BOS, byte fallback, unk).
constexpr bool is_mergeable(TokenType t)
{
    return t == TokenType::Normal || t == TokenType::UserDefined;
}

/// Whether the entry's text, written in a prompt, stands for the token when special tokens are
/// parsed: control tokens (<s>, <|im_start|>), added tokens and the unknown token.
constexpr bool is_special(TokenType t)
{
    return t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
}

} // namespace edge_rt::model
