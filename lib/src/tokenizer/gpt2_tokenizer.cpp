#include "tokenizer/gpt2_tokenizer.hpp"

#include "tokenizer/byte_unicode.hpp"
#include "tokenizer/nfc.hpp"

#include "edge_rt/error.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <queue>

namespace edge_rt::model {
namespace {

std::uint64_t pair_key(std::int32_t left, std::int32_t right)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
           static_cast<std::uint32_t>(right);
}

// One symbol of a word: a token id, linked to its neighbours; merged-away symbols get id -1.
struct Symbol {
    std::int32_t id;
    std::int32_t prev;
    std::int32_t next;
};

struct Candidate {
    std::int32_t rank;
    std::int32_t left; // symbol index: ties (the same pair twice) go to the leftmost
    std::int32_t right;
    std::int32_t left_id;
    std::int32_t right_id;
    std::int32_t result;
};

struct LowerPriority {
    bool operator()(const Candidate& a, const Candidate& b) const
    {
        return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
    }
};

} // namespace

Gpt2Tokenizer::Gpt2Tokenizer(Gpt2Vocab vocab)
    : source_(std::move(vocab.source)), pieces_(std::move(vocab.pieces)), types_(std::move(vocab.types)),
      bos_(vocab.bos), eos_(vocab.eos), add_bos_(vocab.add_bos), add_prefix_space_(vocab.add_prefix_space),
      pre_(vocab.pre), ignore_merges_(vocab.ignore_merges)
{
    validate(vocab);
    index_tokens();
    index_merges(vocab.merges);
}

void Gpt2Tokenizer::validate(const Gpt2Vocab& vocab) const
{
    const std::size_t n = pieces_.size();
    if (n == 0)
        throw FormatError(fmt::format("{}: the tokenizer vocabulary is empty", source_));
    if (types_.size() != n)
        throw FormatError(fmt::format("{}: the tokenizer has {} tokens but {} token types", source_, n,
                                      types_.size()));
    if (vocab.merges.empty())
        throw FormatError(fmt::format("{}: the byte-level BPE tokenizer has no merges", source_));
    const auto check = [&](const std::optional<std::int32_t>& id, const char* what) {
        if (id && (*id < 0 || static_cast<std::size_t>(*id) >= n))
            throw FormatError(fmt::format("{}: the {} token id {} is outside the vocabulary of {} tokens",
                                          source_, what, *id, n));
    };
    check(bos_, "BOS");
    check(eos_, "EOS");
    for (std::size_t i = 0; i < n; ++i)
        if (const int type = static_cast<int>(types_[i]); type < 1 || type > 6)
            throw FormatError(fmt::format("{}: token {} has type {}, expected 1 to 6", source_, i, type));
}

void Gpt2Tokenizer::index_tokens()
{
    byte_ids_.fill(-1);
    bytes_.resize(pieces_.size());
    ids_.reserve(pieces_.size());
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
        const auto id = static_cast<std::int32_t>(i);
        if (is_special(types_[i]) && !pieces_[i].empty())
            specials_.push_back({pieces_[i], id, types_[i] != TokenType::UserDefined});
        if (types_[i] == TokenType::Control || types_[i] == TokenType::Unused)
            continue; // decode to nothing, never produced from plain text
        if (types_[i] == TokenType::UserDefined) {
            bytes_[i] = pieces_[i]; // added tokens are stored as plain text
            continue;
        }
        // A piece outside the byte-level alphabet cannot come out of merging bytes: keep its text.
        auto raw = byte_level::decode(pieces_[i]);
        bytes_[i] = raw ? *raw : pieces_[i];
        if (!raw || !is_mergeable(types_[i]))
            continue;
        ids_.emplace(pieces_[i], id);
        if (raw->size() == 1 && byte_ids_[static_cast<std::uint8_t>((*raw)[0])] < 0)
            byte_ids_[static_cast<std::uint8_t>((*raw)[0])] = id;
    }
}

void Gpt2Tokenizer::index_merges(const std::vector<std::pair<std::string, std::string>>& merges)
{
    merges_.reserve(merges.size());
    std::string joined;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        joined.assign(a).append(b);
        const auto left = ids_.find(a);
        const auto right = ids_.find(b);
        const auto result = ids_.find(joined);
        if (left == ids_.end() || right == ids_.end() || result == ids_.end())
            throw FormatError(fmt::format("{}: merge {} '{} {}' {} a token the vocabulary lacks", source_,
                                          rank + 1, a, b,
                                          left == ids_.end() || right == ids_.end() ? "uses" : "makes"));
        // A repeated pair keeps its first (lowest) rank.
        merges_.emplace(pair_key(left->second, right->second),
                        Merge{static_cast<std::int32_t>(rank), result->second});
    }
}

std::optional<Gpt2Tokenizer::Merge> Gpt2Tokenizer::find_merge(std::int32_t left, std::int32_t right) const
{
    const auto it = merges_.find(pair_key(left, right));
    if (it == merges_.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::int32_t> Gpt2Tokenizer::encode_text(std::string_view text, bool add_bos) const
{
    std::vector<std::int32_t> out;
    if (add_bos && bos_)
        out.push_back(*bos_);
    // Qwen2's tokenizer normalizes to NFC before pre-tokenizing (its tokenizer.json's normalizer).
    const std::string normalized = pre_ == PreTokenizer::Qwen2 ? unicode::to_nfc(text) : std::string();
    if (pre_ == PreTokenizer::Qwen2)
        text = normalized;
    const bool prefix = add_prefix_space_ && !text.empty() && text.front() != ' ';
    const std::string prefixed = prefix ? std::string(1, ' ').append(text) : std::string();
    if (prefix)
        text = prefixed;
    for (const auto word : pretokenize(pre_, text))
        encode_word(word, out);
    return out;
}

void Gpt2Tokenizer::encode_word(std::string_view word, std::vector<std::int32_t>& out) const
{
    if (ignore_merges_) {
        if (const auto it = ids_.find(byte_level::encode(word)); it != ids_.end()) {
            out.push_back(it->second);
            return;
        }
    }
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    for (const char c : word) {
        // A byte without a token of its own (not so in GPT-2's vocabulary) is dropped.
        const std::int32_t id = byte_ids_[static_cast<std::uint8_t>(c)];
        if (id < 0)
            continue;
        const auto index = static_cast<std::int32_t>(symbols.size());
        symbols.push_back({id, index - 1, index + 1});
    }
    if (symbols.empty())
        return;
    symbols.back().next = -1;

    std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue;
    const auto consider = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0)
            return;
        const std::int32_t a = symbols[static_cast<std::size_t>(left)].id;
        const std::int32_t b = symbols[static_cast<std::size_t>(right)].id;
        if (const auto m = find_merge(a, b))
            queue.push({m->rank, left, right, a, b, m->result});
    };
    for (std::size_t i = 1; i < symbols.size(); ++i)
        consider(static_cast<std::int32_t>(i - 1), static_cast<std::int32_t>(i));

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        auto& l = symbols[static_cast<std::size_t>(c.left)];
        auto& r = symbols[static_cast<std::size_t>(c.right)];
        // Stale when either side changed since the candidate was made.
        if (l.id != c.left_id || r.id != c.right_id || l.next != c.right)
            continue;
        l.id = c.result;
        l.next = r.next;
        r.id = -1;
        if (r.next >= 0)
            symbols[static_cast<std::size_t>(r.next)].prev = c.left;
        consider(l.prev, c.left);
        consider(c.left, l.next);
    }
    for (std::int32_t i = 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next)
        out.push_back(symbols[static_cast<std::size_t>(i)].id);
}

std::size_t Gpt2Tokenizer::checked_index(std::int32_t id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= pieces_.size())
        throw FormatError(fmt::format("{}: token id {} is outside the vocabulary of {} tokens", source_, id,
                                      pieces_.size()));
    return static_cast<std::size_t>(id);
}

Gpt2Vocab Gpt2Tokenizer::vocab() const
{
    Gpt2Vocab v{source_, pieces_, types_, {}, bos_, eos_, add_bos_, add_prefix_space_, pre_, ignore_merges_};
    std::vector<std::pair<std::int32_t, std::uint64_t>> ranked; // rank, pair key
    ranked.reserve(merges_.size());
    for (const auto& [key, merge] : merges_)
        ranked.emplace_back(merge.rank, key);
    std::sort(ranked.begin(), ranked.end());
    v.merges.reserve(ranked.size());
    for (const auto& [rank, key] : ranked)
        v.merges.emplace_back(pieces_[key >> 32], pieces_[key & 0xffffffffu]);
    return v;
}

std::string Gpt2Tokenizer::piece(std::int32_t id) const { return pieces_[checked_index(id)]; }

std::string Gpt2Tokenizer::token_bytes(std::int32_t id) const { return bytes_[checked_index(id)]; }

} // namespace edge_rt::model
