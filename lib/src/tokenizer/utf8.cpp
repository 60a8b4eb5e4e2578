#include "tokenizer/utf8.hpp"

#include <cstdint>

namespace edge_rt::model::utf8 {
namespace {

struct LeadInfo {
    std::size_t length;  // 0: not a lead byte
    std::uint8_t second_min;
    std::uint8_t second_max;
};

// The allowed range of the second byte depends on the lead (no overlongs, no surrogates,
// nothing above U+10FFFF); every later byte is 80..BF.
LeadInfo lead_info(std::uint8_t b)
{
    if (b < 0x80)
        return {1, 0, 0};
    if (b >= 0xC2 && b <= 0xDF)
        return {2, 0x80, 0xBF};
    if (b == 0xE0)
        return {3, 0xA0, 0xBF};
    if (b == 0xED)
        return {3, 0x80, 0x9F};
    if (b >= 0xE1 && b <= 0xEF)
        return {3, 0x80, 0xBF};
    if (b == 0xF0)
        return {4, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3)
        return {4, 0x80, 0xBF};
    if (b == 0xF4)
        return {4, 0x80, 0x8F};
    return {0, 0, 0};
}

} // namespace

Sequence classify(std::string_view s, std::size_t pos)
{
    const auto lead = lead_info(static_cast<std::uint8_t>(s[pos]));
    if (lead.length == 0)
        return {Sequence::Kind::Invalid, 1};
    for (std::size_t k = 1; k < lead.length; ++k) {
        if (pos + k >= s.size())
            return {Sequence::Kind::Incomplete, k};
        const auto b = static_cast<std::uint8_t>(s[pos + k]);
        const std::uint8_t lo = k == 1 ? lead.second_min : 0x80;
        const std::uint8_t hi = k == 1 ? lead.second_max : 0xBF;
        if (b < lo || b > hi)
            return {Sequence::Kind::Invalid, k};
    }
    return {Sequence::Kind::Complete, lead.length};
}

char32_t decode(std::string_view s, std::size_t pos, std::size_t length)
{
    const auto b0 = static_cast<std::uint8_t>(s[pos]);
    if (length == 1)
        return b0;
    // The lead keeps 7 - length payload bits; each continuation byte adds 6.
    char32_t cp = b0 & (0x7Fu >> length);
    for (std::size_t k = 1; k < length; ++k)
        cp = (cp << 6) | (static_cast<std::uint8_t>(s[pos + k]) & 0x3Fu);
    return cp;
}

void append(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string take_valid(std::string& bytes, bool final)
{
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const auto seq = classify(bytes, pos);
        if (seq.kind == Sequence::Kind::Incomplete && !final)
            break;
        if (seq.kind == Sequence::Kind::Complete)
            out.append(bytes, pos, seq.length);
        else
            out += kReplacement;
        pos += seq.length;
    }
    bytes.erase(0, pos);
    return out;
}

} // namespace edge_rt::model::utf8
