// The character classes the pre-tokenizer patterns are written in: \p{L}, \p{N}, \s and the
// rest, for the UTF-8 character at a byte position. Bytes that are not valid UTF-8 are "other"
// characters of one byte each, so pre-tokenizing never fails.
#pragma once

#include "tokenizer/unicode_class.hpp"
#include "tokenizer/utf8.hpp"

#include <cstddef>
#include <string_view>

namespace edge_rt::model {

enum class CharClass { Letter, Number, Space, Other };

struct Char {
    CharClass cls;
    std::size_t length; // in bytes
    char32_t cp;        // U+FFFD for an invalid byte
};

inline Char char_at(std::string_view text, std::size_t pos)
{
    const auto seq = utf8::classify(text, pos);
    if (seq.kind != utf8::Sequence::Kind::Complete)
        return {CharClass::Other, 1, U'\uFFFD'};
    const char32_t cp = utf8::decode(text, pos, seq.length);
    CharClass cls = CharClass::Other;
    if (unicode::is_whitespace(cp))
        cls = CharClass::Space;
    else if (unicode::is_letter(cp))
        cls = CharClass::Letter;
    else if (unicode::is_number(cp))
        cls = CharClass::Number;
    return {cls, seq.length, cp};
}

inline bool is_newline(const Char& c) { return c.cp == U'\r' || c.cp == U'\n'; }

} // namespace edge_rt::model
