// GPT-2's reversible byte <-> character mapping: byte-level BPE vocabularies spell every byte as
// a printable character so merges never see whitespace or control bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edge_rt::model::byte_level {

/// Printable bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for themselves; the other 68
/// bytes, in increasing order, become U+0100, U+0101, ... (so space is U+0120 'Ġ').
char32_t byte_to_char(std::uint8_t byte);

/// The inverse of byte_to_char; nullopt for characters no byte maps to.
std::optional<std::uint8_t> char_to_byte(char32_t c);

/// Raw bytes -> their byte-level spelling (UTF-8).
std::string encode(std::string_view bytes);

/// A byte-level spelling -> the raw bytes; nullopt when it holds a character outside the mapping
/// or is not valid UTF-8.
std::optional<std::string> decode(std::string_view spelled);

} // namespace edge_rt::model::byte_level
