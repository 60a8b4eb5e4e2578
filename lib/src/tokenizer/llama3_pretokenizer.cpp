// Llama 3's pre-tokenizer pattern, alternative by alternative (the first that matches at a
// position wins, each greedy):
//   1 (?i:'s|'t|'re|'ve|'m|'ll|'d)     2 [^\r\n\p{L}\p{N}]?\p{L}+     3 \p{N}{1,max_digits}
//   4  ?[^\s\p{L}\p{N}]+[\r\n]*         5 \s*[\r\n]+   6 \s+(?!\S)    7 \s+
#include "tokenizer/char_class.hpp"
#include "tokenizer/pretokenizer.hpp"

#include <cstdint>

namespace edge_rt::model {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Alternative 1: the contraction's length at pos, or 0.
std::size_t contraction(std::string_view text, std::size_t pos)
{
    if (text[pos] != '\'' || pos + 1 >= text.size())
        return 0;
    const char a = lower(text[pos + 1]);
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return 2;
    if (pos + 2 >= text.size())
        return 0;
    const char b = lower(text[pos + 2]);
    return (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l') ? 3 : 0;
}

// End of the run of class `cls` from pos, taking at most `limit` characters.
std::size_t run_end(std::string_view text, std::size_t pos, CharClass cls, std::size_t limit = SIZE_MAX)
{
    for (std::size_t n = 0; pos < text.size() && n < limit; ++n) {
        const Char c = char_at(text, pos);
        if (c.cls != cls)
            break;
        pos += c.length;
    }
    return pos;
}

// Alternative 2: an optional non-newline, non-letter, non-number character, then letters.
std::size_t letters(std::string_view text, std::size_t pos, const Char& first)
{
    if (first.cls == CharClass::Letter)
        return run_end(text, pos, CharClass::Letter) - pos;
    if (first.cls == CharClass::Number || is_newline(first) || pos + first.length >= text.size())
        return 0;
    if (char_at(text, pos + first.length).cls != CharClass::Letter)
        return 0;
    return run_end(text, pos + first.length, CharClass::Letter) - pos;
}

// Alternative 4: an optional space, a run of "other" characters, then any CR and LF.
std::size_t punctuation(std::string_view text, std::size_t pos, const Char& first)
{
    std::size_t start = pos;
    if (first.cp == U' ' && pos + 1 < text.size() && char_at(text, pos + 1).cls == CharClass::Other)
        start = pos + 1;
    else if (first.cls != CharClass::Other)
        return 0;
    std::size_t end = run_end(text, start, CharClass::Other);
    while (end < text.size() && (text[end] == '\r' || text[end] == '\n'))
        ++end;
    return end - pos;
}

// Alternatives 5 to 7 for the whitespace run at pos.
std::size_t whitespace(std::string_view text, std::size_t pos)
{
    std::size_t end = pos;
    std::size_t after_newline = 0; // end of the last CR/LF in the run, 0 if none
    std::size_t last_length = 0;
    while (end < text.size()) {
        const Char c = char_at(text, end);
        if (c.cls != CharClass::Space)
            break;
        end += c.length;
        last_length = c.length;
        if (is_newline(c))
            after_newline = end;
    }
    if (after_newline != 0)
        return after_newline - pos;          // \s*[\r\n]+ backs off to the last newline
    if (end == text.size() || end - pos == last_length)
        return end - pos;                    // \s+(?!\S) at the end, or a lone \s+
    return end - pos - last_length;          // \s+(?!\S) leaves one space to the next word
}

} // namespace

std::vector<std::string_view> llama3_pretokenize(std::string_view text, std::size_t max_digits)
{
    std::vector<std::string_view> pieces;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Char first = char_at(text, pos);
        std::size_t length = contraction(text, pos);
        if (length == 0)
            length = letters(text, pos, first);
        if (length == 0 && first.cls == CharClass::Number)
            length = run_end(text, pos, CharClass::Number, max_digits) - pos;
        if (length == 0)
            length = punctuation(text, pos, first);
        if (length == 0) // only whitespace is left: alternatives 1 to 4 take every other start
            length = whitespace(text, pos);
        pieces.push_back(text.substr(pos, length));
        pos += length;
    }
    return pieces;
}

} // namespace edge_rt::model
