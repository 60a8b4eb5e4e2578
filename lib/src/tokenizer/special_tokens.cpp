// Tokenizer::encode: the text is cut at the special and added tokens written in it, and the
// stretches between are encoded as plain text.
#include "tokenizer/tokenizer.hpp"

#include <bitset>

namespace edge_rt::model {
namespace {

// The longest token allowed here whose text starts at `pos`, if any.
const SpecialToken* special_at(const std::vector<SpecialToken>& specials, bool parse_special, std::string_view text,
                               std::size_t pos)
{
    const SpecialToken* best = nullptr;
    for (const auto& s : specials)
        if ((parse_special || !s.control) && (best == nullptr || s.text.size() > best->text.size()) &&
            text.substr(pos).starts_with(s.text))
            best = &s;
    return best;
}

} // namespace

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const
{
    const auto& specials = special_tokens();
    std::bitset<256> first_bytes; // a cheap test before comparing every token's text
    for (const auto& s : specials)
        if (parse_special || !s.control)
            first_bytes.set(static_cast<std::uint8_t>(s.text[0]));
    if (first_bytes.none())
        return encode_text(text, add_bos);

    std::vector<std::int32_t> out = encode_text(std::string_view(), add_bos); // just BOS, if any
    const auto append_text = [&](std::string_view plain) {
        const auto ids = encode_text(plain, false);
        out.insert(out.end(), ids.begin(), ids.end());
    };
    std::size_t plain_start = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const SpecialToken* s = first_bytes.test(static_cast<std::uint8_t>(text[pos]))
                                    ? special_at(specials, parse_special, text, pos)
                                    : nullptr;
        if (s == nullptr) {
            ++pos;
            continue;
        }
        if (plain_start < pos)
            append_text(text.substr(plain_start, pos - plain_start));
        out.push_back(s->id);
        pos += s->text.size();
        plain_start = pos;
    }
    if (plain_start < text.size())
        append_text(text.substr(plain_start));
    return out;
}

} // namespace edge_rt::model
