#include "tokenizer/gpt2_pretokenizer.hpp"
#include "tokenizer/unicode_class.hpp"
#include "tokenizer/utf8.hpp"

namespace edge_rt::model {
namespace {

enum class CharClass { Letter, Number, Space, Other };

struct Char {
    CharClass cls;
    std::size_t length;
    bool is_blank; // exactly U+0020, the only character the pattern's " ?" accepts
};

Char char_at(std::string_view text, std::size_t pos)
{
    const auto seq = utf8::classify(text, pos);
    if (seq.kind != utf8::Sequence::Kind::Complete)
        return {CharClass::Other, 1, false};
    const char32_t cp = utf8::decode(text, pos, seq.length);
    CharClass cls = CharClass::Other;
    if (unicode::is_whitespace(cp))
        cls = CharClass::Space;
    else if (unicode::is_letter(cp))
        cls = CharClass::Letter;
    else if (unicode::is_number(cp))
        cls = CharClass::Number;
    return {cls, seq.length, cp == U' '};
}

// 's 't 're 've 'm 'll 'd (lower case only, as in GPT-2): the length matched at pos, or 0.
std::size_t contraction_at(std::string_view text, std::size_t pos)
{
    if (text[pos] != '\'' || pos + 1 >= text.size())
        return 0;
    const char a = text[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return 2;
    if (pos + 2 >= text.size())
        return 0;
    const std::string_view two = text.substr(pos + 1, 2);
    return two == "re" || two == "ve" || two == "ll" ? 3 : 0;
}

// End of the run of characters of class `cls` that starts at pos.
std::size_t run_end(std::string_view text, std::size_t pos, CharClass cls)
{
    while (pos < text.size()) {
        const Char c = char_at(text, pos);
        if (c.cls != cls)
            break;
        pos += c.length;
    }
    return pos;
}

// Length of the whitespace piece at pos: a run at the end of the text is taken whole; a run
// followed by other text leaves its last character to start the next piece (\s+(?!\S)),
// unless it is a single character (then \s+ takes it).
std::size_t whitespace_piece(std::string_view text, std::size_t pos)
{
    std::size_t end = pos;
    std::size_t last_length = 0;
    while (end < text.size()) {
        const Char c = char_at(text, end);
        if (c.cls != CharClass::Space)
            break;
        last_length = c.length;
        end += c.length;
    }
    if (end == text.size() || end - pos == last_length)
        return end - pos;
    return end - pos - last_length;
}

} // namespace

std::vector<std::string_view> gpt2_pretokenize(std::string_view text)
{
    std::vector<std::string_view> pieces;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t length = contraction_at(text, pos);
        if (length == 0) {
            Char c = char_at(text, pos);
            std::size_t body = pos; // where the letter/number/other run starts
            if (c.is_blank && pos + 1 < text.size()) {
                const Char after = char_at(text, pos + 1);
                if (after.cls != CharClass::Space) {
                    body = pos + 1;
                    c = after;
                }
            }
            length = c.cls == CharClass::Space ? whitespace_piece(text, pos)
                                               : run_end(text, body, c.cls) - pos;
        }
        pieces.push_back(text.substr(pos, length));
        pos += length;
    }
    return pieces;
}

} // namespace edge_rt::model
