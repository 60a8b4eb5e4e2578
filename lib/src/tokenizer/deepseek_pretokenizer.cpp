// DeepSeek LLM's pre-tokenizer: Hugging Face Split (Isolated) steps in sequence, each applied to
// every piece the previous ones made (the patterns are those of the model's tokenizer.json):
//   [\r\n]   \s?[cased letters]+   \s?[!-/:-~！-／：-～‘-‟　-。]+   \s+$   [一-龥ࠀ-一가-퟿]+
// then Digits(individual_digits) puts every number character on its own.
#include "tokenizer/char_class.hpp"
#include "tokenizer/pretokenizer.hpp"
#include "tokenizer/split_isolated.hpp"

#include <array>

namespace edge_rt::model {
namespace {

struct Range {
    char32_t first;
    char32_t last;
};

// The character classes as the patterns list them (unsorted, as written; a linear scan is
// enough for these sizes).
constexpr std::array<Range, 87> kCasedLetters{{
    {0x41, 0x5A}, {0x61, 0x7A}, {0xB5, 0xB5}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x1BA},
    {0x1BC, 0x1BF}, {0x1C4, 0x293}, {0x295, 0x2AF}, {0x370, 0x373}, {0x376, 0x376}, {0x377, 0x377},
    {0x37B, 0x37D}, {0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C}, {0x38E, 0x3A1},
    {0x3A3, 0x3F5}, {0x3F7, 0x481}, {0x48A, 0x52F}, {0x531, 0x556}, {0x10A0, 0x10C5},
    {0x13A0, 0x13F5}, {0x13F8, 0x13FD}, {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF}, {0x1D00, 0x1D2B},
    {0x1D6B, 0x1D77}, {0x1D79, 0x1D9A}, {0x1E00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45},
    {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D},
    {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4},
    {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4},
    {0x1FF6, 0x1FFC}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113}, {0x2115, 0x2115},
    {0x2119, 0x211D}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212A, 0x212D},
    {0x212F, 0x2134}, {0x2139, 0x2139}, {0x213C, 0x213F}, {0x2145, 0x2149}, {0x214E, 0x214E},
    {0x2183, 0x2183}, {0x2184, 0x2184}, {0x2C00, 0x2C7B}, {0x2C7E, 0x2CE4}, {0x2CEB, 0x2CEE},
    {0x2CF2, 0x2CF2}, {0x2CF3, 0x2CF3}, {0xA640, 0xA66D}, {0xA680, 0xA69B}, {0xA722, 0xA76F},
    {0xA771, 0xA787}, {0xA78B, 0xA78E}, {0xAB70, 0xABBF}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17},
    {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x10400, 0x1044F}, {0x104B0, 0x104D3}, {0x104D8, 0x104FB},
    {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF}, {0x1E900, 0x1E943},
}};

constexpr std::array<Range, 6> kPunctuation{{
    {0x21, 0x2F}, {0x3A, 0x7E}, {0xFF01, 0xFF0F}, {0xFF1A, 0xFF5E}, {0x2018, 0x201F},
    {0x3000, 0x3002},
}};

constexpr std::array<Range, 3> kCjk{{
    {0x4E00, 0x9FA5}, {0x800, 0x4E00}, {0xAC00, 0xD7FF},
}};

template <std::size_t N>
bool in_class(const std::array<Range, N>& ranges, char32_t cp)
{
    for (const auto& r : ranges)
        if (cp >= r.first && cp <= r.last)
            return true;
    return false;
}

template <std::size_t N>
std::size_t class_run(std::string_view piece, std::size_t pos, const std::array<Range, N>& ranges)
{
    std::size_t end = pos;
    while (end < piece.size()) {
        const Char c = char_at(piece, end);
        if (!in_class(ranges, c.cp)) // an invalid byte reads as U+FFFD, in no class
            break;
        end += c.length;
    }
    return end - pos;
}

// \s?[class]+ at pos.
template <std::size_t N>
std::size_t optional_space_then_run(std::string_view piece, std::size_t pos, const std::array<Range, N>& ranges)
{
    const Char first = char_at(piece, pos);
    if (first.cls == CharClass::Space) {
        if (const std::size_t run = class_run(piece, pos + first.length, ranges); run > 0)
            return first.length + run;
    }
    return class_run(piece, pos, ranges);
}

std::size_t newline(std::string_view piece, std::size_t pos)
{
    return piece[pos] == '\r' || piece[pos] == '\n' ? 1 : 0;
}

std::size_t cased_letters(std::string_view piece, std::size_t pos)
{
    return optional_space_then_run(piece, pos, kCasedLetters);
}

std::size_t punctuation(std::string_view piece, std::size_t pos)
{
    return optional_space_then_run(piece, pos, kPunctuation);
}

// \s+$: the whitespace that ends the piece.
std::size_t trailing_space(std::string_view piece, std::size_t pos)
{
    for (std::size_t end = pos; end < piece.size();) {
        const Char c = char_at(piece, end);
        if (c.cls != CharClass::Space)
            return 0;
        end += c.length;
    }
    return piece.size() - pos;
}

std::size_t cjk(std::string_view piece, std::size_t pos) { return class_run(piece, pos, kCjk); }

std::size_t one_number(std::string_view piece, std::size_t pos)
{
    const Char c = char_at(piece, pos);
    return c.cls == CharClass::Number ? c.length : 0;
}

} // namespace

std::vector<std::string_view> deepseek_llm_pretokenize(std::string_view text)
{
    std::vector<std::string_view> pieces{text};
    for (const Matcher step : {newline, cased_letters, punctuation, trailing_space, cjk, one_number})
        pieces = split_isolated(pieces, step);
    return pieces;
}

} // namespace edge_rt::model
