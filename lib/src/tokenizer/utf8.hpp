// UTF-8 well-formedness (Unicode Table 3-7), decoding and encoding of code points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edge_rt::model::utf8 {

/// U+FFFD, what invalid bytes decode to.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

struct Sequence {
    enum class Kind {
        Complete,   // `length` bytes form one well-formed character
        Incomplete, // the `length` bytes up to the end of the input may still become one
        Invalid,    // `length` bytes (a maximal ill-formed subpart, >= 1) can never be one
    };
    Kind kind;
    std::size_t length;
};

/// What the bytes at `pos` (< s.size()) are.
Sequence classify(std::string_view s, std::size_t pos);

/// The code point of the complete sequence of `length` bytes at `pos`.
char32_t decode(std::string_view s, std::size_t pos, std::size_t length);

/// Appends the UTF-8 encoding of `cp` (which must be a scalar value).
void append(std::string& out, char32_t cp);

/// Splits off the longest prefix of `bytes` that is complete, valid UTF-8, with every invalid
/// subpart replaced by U+FFFD; what may still become a character (an incomplete tail) is left
/// in `bytes`. With `final`, an incomplete tail becomes one U+FFFD as well.
std::string take_valid(std::string& bytes, bool final);

} // namespace edge_rt::model::utf8
