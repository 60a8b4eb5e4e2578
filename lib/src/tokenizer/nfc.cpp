// NFC = canonical decomposition, canonical ordering of combining marks, canonical composition
// (UAX #15, sections 1.3 and 3). Hangul syllables decompose and compose arithmetically.
#include "tokenizer/nfc.hpp"

#include "tokenizer/nfc_tables.hpp"
#include "tokenizer/utf8.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace edge_rt::model::unicode {
namespace {

// Hangul constants of Unicode's "Conjoining Jamo Behavior" (chapter 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

unsigned ccc(char32_t cp)
{
    const auto table = combining_classes();
    const auto it = std::upper_bound(table.begin(), table.end(), cp,
                                     [](char32_t c, const CombiningRange& r) { return c < r.first; });
    if (it == table.begin())
        return 0;
    const auto& r = *(it - 1);
    return cp <= r.last ? r.ccc : 0;
}

void decompose(char32_t cp, std::vector<char32_t>& out)
{
    if (cp >= kSBase && cp < kSBase + kSCount) {
        const char32_t s = cp - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (s % kTCount != 0)
            out.push_back(kTBase + s % kTCount);
        return;
    }
    const auto table = decompositions();
    const auto it = std::lower_bound(table.begin(), table.end(), cp,
                                     [](const Decomposition& d, char32_t c) { return d.cp < c; });
    if (it == table.end() || it->cp != cp) {
        out.push_back(cp);
        return;
    }
    decompose(it->first, out);
    if (it->second != 0)
        decompose(it->second, out);
}

std::optional<char32_t> compose(char32_t a, char32_t b)
{
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
        return a + (b - kTBase);
    const auto table = compositions();
    const auto it = std::lower_bound(table.begin(), table.end(), std::pair{a, b}, [](const Composition& c, auto key) {
        return c.first != key.first ? c.first < key.first : c.second < key.second;
    });
    if (it != table.end() && it->first == a && it->second == b)
        return it->composite;
    return std::nullopt;
}

// Stable sort of each run of non-starters by combining class.
void reorder(std::vector<char32_t>& cps)
{
    for (std::size_t i = 0; i < cps.size();) {
        if (ccc(cps[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < cps.size() && ccc(cps[end]) != 0)
            ++end;
        std::stable_sort(cps.begin() + static_cast<std::ptrdiff_t>(i), cps.begin() + static_cast<std::ptrdiff_t>(end),
                         [](char32_t x, char32_t y) { return ccc(x) < ccc(y); });
        i = end;
    }
}

// Each character combines with the last starter unless a character between them blocks it
// (has a class of 0 or at least its own).
void compose_all(std::vector<char32_t>& cps)
{
    std::size_t out = 0;
    std::optional<std::size_t> starter;
    unsigned last_class = 0;
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const char32_t cp = cps[i];
        const unsigned c = ccc(cp);
        const bool blocked = starter && out > *starter + 1 && (last_class == 0 || last_class >= c);
        if (starter && !blocked) {
            if (const auto composite = compose(cps[*starter], cp)) {
                cps[*starter] = *composite;
                continue;
            }
        }
        if (c == 0)
            starter = out;
        last_class = c;
        cps[out++] = cp;
    }
    cps.resize(out);
}

} // namespace

std::string to_nfc(std::string_view text)
{
    std::vector<char32_t> cps;
    bool plain = true;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto seq = utf8::classify(text, pos);
        if (seq.kind != utf8::Sequence::Kind::Complete)
            return std::string(text);
        const char32_t cp = utf8::decode(text, pos, seq.length);
        plain = plain && cp < 0x300;
        decompose(cp, cps);
        pos += seq.length;
    }
    if (plain)
        return std::string(text);
    reorder(cps);
    compose_all(cps);
    std::string out;
    out.reserve(text.size());
    for (const char32_t cp : cps)
        utf8::append(out, cp);
    return out;
}

} // namespace edge_rt::model::unicode
