#include "tokenizer/spm_tokenizer.hpp"
#include "tokenizer/utf8.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <queue>

namespace edge_rt::model {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81"; // U+2581, SentencePiece's visible space

// One symbol of the text being merged: a byte range of the normalized text, linked to its
// neighbours. Merging grows the left symbol and empties the right one.
struct Symbol {
    std::size_t start = 0;
    std::size_t length = 0; // 0 once merged into its left neighbour
    std::int32_t prev = -1;
    std::int32_t next = -1;
};

struct Candidate {
    float score;
    std::size_t start; // of the left symbol: ties go to the leftmost pair
    std::int32_t left;
    std::int32_t right;
    std::size_t length; // of both symbols together when the candidate was made
};

struct LowerPriority {
    bool operator()(const Candidate& a, const Candidate& b) const
    {
        if (a.score != b.score)
            return a.score < b.score;
        return a.start > b.start;
    }
};

std::string normalize(std::string_view text, bool space_prefix)
{
    std::string out;
    out.reserve(text.size() * 3 + 3);
    if (space_prefix)
        out += kSpaceMark;
    for (const char c : text) {
        if (c == ' ')
            out += kSpaceMark;
        else
            out += c;
    }
    return out;
}

// One symbol per UTF-8 character; a byte that starts no valid character is a symbol alone.
std::vector<Symbol> split_characters(std::string_view text)
{
    std::vector<Symbol> symbols;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto seq = utf8::classify(text, pos);
        const std::size_t length = seq.kind == utf8::Sequence::Kind::Complete ? seq.length : 1;
        const auto index = static_cast<std::int32_t>(symbols.size());
        symbols.push_back({pos, length, index - 1, index + 1});
        pos += length;
    }
    if (!symbols.empty())
        symbols.back().next = -1;
    return symbols;
}

} // namespace

std::optional<std::uint8_t> parse_byte_piece(std::string_view piece)
{
    if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>')
        return std::nullopt;
    int value = 0;
    for (const char c : piece.substr(3, 2)) {
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        if (digit < 0)
            return std::nullopt;
        value = value * 16 + digit;
    }
    return static_cast<std::uint8_t>(value);
}

SpmTokenizer::SpmTokenizer(SpmVocab vocab) : vocab_(std::move(vocab))
{
    validate();
    index();
}

void SpmTokenizer::validate() const
{
    const auto& v = vocab_;
    const std::size_t n = v.pieces.size();
    if (n == 0)
        throw FormatError(fmt::format("{}: the tokenizer vocabulary is empty", v.source));
    if (v.scores.size() != n || v.types.size() != n)
        throw FormatError(fmt::format("{}: the tokenizer has {} tokens but {} scores and {} token types",
                                      v.source, n, v.scores.size(), v.types.size()));
    const auto check = [&](const std::optional<std::int32_t>& id, const char* what) {
        if (id && (*id < 0 || static_cast<std::size_t>(*id) >= n))
            throw FormatError(fmt::format("{}: the {} token id {} is outside the vocabulary of {} tokens",
                                          v.source, what, *id, n));
    };
    check(v.bos, "BOS");
    check(v.eos, "EOS");
    check(v.unk, "unknown");
    for (std::size_t i = 0; i < n; ++i) {
        const int type = static_cast<int>(v.types[i]);
        if (type < 1 || type > 6)
            throw FormatError(fmt::format("{}: token {} has type {}, expected 1 to 6", v.source, i, type));
        if (v.types[i] == TokenType::Byte && !parse_byte_piece(v.pieces[i]))
            throw FormatError(fmt::format("{}: byte token {} is '{}', expected <0xNN>", v.source, i,
                                          v.pieces[i]));
    }
}

void SpmTokenizer::index()
{
    byte_ids_.fill(-1);
    ids_.reserve(vocab_.pieces.size());
    for (std::size_t i = 0; i < vocab_.pieces.size(); ++i) {
        const auto id = static_cast<std::int32_t>(i);
        ids_.emplace(vocab_.pieces[i], id); // a duplicate piece keeps its first id
        if (is_special(vocab_.types[i]) && !vocab_.pieces[i].empty())
            specials_.push_back({vocab_.pieces[i], id, vocab_.types[i] != TokenType::UserDefined});
        if (vocab_.types[i] == TokenType::Byte) {
            auto& slot = byte_ids_[*parse_byte_piece(vocab_.pieces[i])];
            if (slot < 0)
                slot = id;
        }
    }
}

std::optional<std::int32_t> SpmTokenizer::mergeable_id(std::string_view text) const
{
    const auto it = ids_.find(text);
    if (it == ids_.end() || !is_mergeable(vocab_.types[static_cast<std::size_t>(it->second)]))
        return std::nullopt;
    return it->second;
}

std::vector<std::int32_t> SpmTokenizer::encode_text(std::string_view text, bool add_bos) const
{
    std::vector<std::int32_t> out;
    if (add_bos && vocab_.bos)
        out.push_back(*vocab_.bos);
    if (text.empty())
        return out; // no dummy prefix for nothing
    const std::string normalized = normalize(text, vocab_.add_space_prefix);
    std::vector<Symbol> symbols = split_characters(normalized);

    std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue;
    const auto consider = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0)
            return;
        const auto& l = symbols[static_cast<std::size_t>(left)];
        const auto& r = symbols[static_cast<std::size_t>(right)];
        const std::string_view pair(normalized.data() + l.start, l.length + r.length);
        if (const auto id = mergeable_id(pair))
            queue.push({vocab_.scores[static_cast<std::size_t>(*id)], l.start, left, right, pair.size()});
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        consider(static_cast<std::int32_t>(i - 1), static_cast<std::int32_t>(i));

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        auto& l = symbols[static_cast<std::size_t>(c.left)];
        auto& r = symbols[static_cast<std::size_t>(c.right)];
        // Stale when either side has been merged since the candidate was made.
        if (l.length == 0 || r.length == 0 || l.next != c.right || l.length + r.length != c.length)
            continue;
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (r.next >= 0)
            symbols[static_cast<std::size_t>(r.next)].prev = c.left;
        consider(l.prev, c.left);
        consider(c.left, l.next);
    }

    for (std::int32_t i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next) {
        const auto& s = symbols[static_cast<std::size_t>(i)];
        append_symbol(std::string_view(normalized).substr(s.start, s.length), out);
    }
    return out;
}

void SpmTokenizer::append_symbol(std::string_view symbol, std::vector<std::int32_t>& out) const
{
    if (const auto id = mergeable_id(symbol)) {
        out.push_back(*id);
        return;
    }
    // Only single characters reach here: every merge result is a vocabulary entry.
    for (const char c : symbol) {
        const std::int32_t byte_id = byte_ids_[static_cast<std::uint8_t>(c)];
        if (byte_id >= 0)
            out.push_back(byte_id);
        else if (vocab_.unk) {
            out.push_back(*vocab_.unk);
            return; // one unk for the whole character, as SentencePiece does
        }
        // Neither byte fallback nor unk: the character cannot be represented and is dropped.
    }
}

std::size_t SpmTokenizer::checked_index(std::int32_t id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_.pieces.size())
        throw FormatError(fmt::format("{}: token id {} is outside the vocabulary of {} tokens",
                                      vocab_.source, id, vocab_.pieces.size()));
    return static_cast<std::size_t>(id);
}

std::string SpmTokenizer::piece(std::int32_t id) const { return vocab_.pieces[checked_index(id)]; }

std::string SpmTokenizer::token_bytes(std::int32_t id) const
{
    const std::size_t i = checked_index(id);
    const std::string& p = vocab_.pieces[i];
    switch (vocab_.types[i]) {
    case TokenType::Normal: {
        std::string out;
        out.reserve(p.size());
        for (std::size_t pos = 0; pos < p.size();) {
            if (p.compare(pos, kSpaceMark.size(), kSpaceMark) == 0) {
                out += ' ';
                pos += kSpaceMark.size();
            } else {
                out += p[pos++];
            }
        }
        return out;
    }
    case TokenType::Byte: return std::string(1, static_cast<char>(*parse_byte_piece(p)));
    case TokenType::UserDefined: return p;
    case TokenType::Unknown: return " \xE2\x81\x87 "; // SentencePiece's " ⁇ " surface for unk
    case TokenType::Control:
    case TokenType::Unused: return {};
    }
    return {};
}

} // namespace edge_rt::model
