#include "tokenizer/byte_unicode.hpp"
#include "tokenizer/utf8.hpp"

#include <array>

namespace edge_rt::model::byte_level {
namespace {

constexpr bool stands_for_itself(unsigned b)
{
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr std::array<char32_t, 256> make_byte_table()
{
    std::array<char32_t, 256> table{};
    char32_t next_free = 0x100;
    for (unsigned b = 0; b < 256; ++b)
        table[b] = stands_for_itself(b) ? char32_t(b) : next_free++;
    return table;
}

// The bytes that do not stand for themselves, in order: U+0100 + i stands for kRemapped[i].
constexpr std::size_t kRemappedCount = 68;
constexpr std::array<std::uint8_t, kRemappedCount> make_remapped_table()
{
    std::array<std::uint8_t, kRemappedCount> table{};
    std::size_t i = 0;
    for (unsigned b = 0; b < 256; ++b)
        if (!stands_for_itself(b))
            table[i++] = static_cast<std::uint8_t>(b);
    return table;
}

constexpr auto kByteToChar = make_byte_table();
constexpr auto kRemapped = make_remapped_table();

} // namespace

char32_t byte_to_char(std::uint8_t byte) { return kByteToChar[byte]; }

std::optional<std::uint8_t> char_to_byte(char32_t c)
{
    if (c < 0x100)
        return stands_for_itself(c) ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(c)) : std::nullopt;
    if (c - 0x100 < kRemappedCount)
        return kRemapped[c - 0x100];
    return std::nullopt;
}

std::string encode(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        utf8::append(out, byte_to_char(static_cast<std::uint8_t>(c)));
    return out;
}

std::optional<std::string> decode(std::string_view spelled)
{
    std::string out;
    out.reserve(spelled.size());
    for (std::size_t pos = 0; pos < spelled.size();) {
        const auto seq = utf8::classify(spelled, pos);
        if (seq.kind != utf8::Sequence::Kind::Complete)
            return std::nullopt;
        const auto byte = char_to_byte(utf8::decode(spelled, pos, seq.length));
        if (!byte)
            return std::nullopt;
        out += static_cast<char>(*byte);
        pos += seq.length;
    }
    return out;
}

} // namespace edge_rt::model::byte_level
