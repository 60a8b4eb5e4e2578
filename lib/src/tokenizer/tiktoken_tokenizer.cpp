// Llama 3's tiktoken tokenizer.model: one "<base64 token bytes> <rank>" line per token. Ranks
// are the ids and the merge order: merging two tokens has the rank of their concatenation.
// The file holds no special tokens; Llama 3's 256 follow the 128,000 ranks.
#include "tokenizer/byte_unicode.hpp"
#include "tokenizer/gpt2_tokenizer.hpp"
#include "tokenizer/loaders.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace edge_rt::model {
namespace {

constexpr std::size_t kLlama3Ranks = 128000;
constexpr std::size_t kLlama3Specials = 256;

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what)
{
    throw FormatError(fmt::format("{}: {}", path.string(), what));
}

std::optional<std::string> base64_decode(std::string_view text)
{
    static const auto table = [] {
        std::array<int, 256> t{};
        t.fill(-1);
        const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (std::size_t i = 0; i < alphabet.size(); ++i)
            t[static_cast<std::uint8_t>(alphabet[i])] = static_cast<int>(i);
        return t;
    }();
    if (text.empty() || text.size() % 4 != 0)
        return std::nullopt;
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=') {
            if (i + 2 < text.size() || (i + 1 < text.size() && text[i + 1] != '='))
                return std::nullopt; // padding only at the end
            break;
        }
        const int v = table[static_cast<std::uint8_t>(text[i])];
        if (v < 0)
            return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        if (++count % 4 == 0) {
            for (int shift = 16; shift >= 0; shift -= 8)
                out += static_cast<char>((bits >> shift) & 0xFF);
            bits = 0;
        }
    }
    if (count % 4 == 2)
        out += static_cast<char>((bits >> 4) & 0xFF);
    else if (count % 4 == 3) {
        out += static_cast<char>((bits >> 10) & 0xFF);
        out += static_cast<char>((bits >> 2) & 0xFF);
    }
    return out;
}

// Token bytes by rank; every rank from 0 up must be given exactly once. Ranks are checked
// against the number of entries, never used to size anything: a rank of 999999999 in a
// one-line file is a gap, not a gigabyte-sized table.
std::vector<std::string> read_ranks(const std::filesystem::path& path)
{
    const std::string text = read_whole_file(path);
    struct Entry {
        std::size_t rank;
        std::string bytes;
        std::size_t line_no;
    };
    std::vector<Entry> entries;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        const std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line.empty())
            continue;
        const auto space = line.find(' ');
        const auto bytes = space == std::string_view::npos ? std::nullopt : base64_decode(line.substr(0, space));
        std::size_t rank = 0;
        const auto digits = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
        bool number = !digits.empty() && digits.size() < 10;
        for (const char c : digits) {
            number = number && c >= '0' && c <= '9';
            rank = rank * 10 + static_cast<std::size_t>(c - '0');
        }
        if (!bytes || !number)
            fail(path, fmt::format("line {} is not '<base64 token> <rank>': not a tiktoken file (a "
                                   "SentencePiece tokenizer.model is not supported; use the GGUF or tokenizer.json)",
                                   line_no));
        entries.push_back({rank, *bytes, line_no});
    }
    // n entries with distinct ranks below n are exactly the ranks 0..n-1; a rank of n or more
    // leaves one of those unseen, reported as missing below.
    const std::size_t n = entries.size();
    std::vector<std::string> tokens(n);
    std::vector<bool> seen(n);
    for (auto& e : entries) {
        if (e.rank >= n)
            continue;
        if (seen[e.rank])
            fail(path, fmt::format("line {}: rank {} is given twice", e.line_no, e.rank));
        seen[e.rank] = true;
        tokens[e.rank] = std::move(e.bytes);
    }
    for (std::size_t r = 0; r < n; ++r)
        if (!seen[r])
            fail(path, fmt::format("rank {} is missing (ranks must run from 0 without gaps)", r));
    return tokens;
}

// Llama 3.1's special tokens (models/llama3/tokenizer.py of meta-llama/llama-models): eight
// named ones among reserved_special_token_N placeholders.
std::vector<std::string> llama3_special_tokens()
{
    std::vector<std::string> names = {"<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                                      "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>",
                                      "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
                                      "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"};
    for (int i = 3; names.size() < kLlama3Specials; ++i)
        names.push_back(fmt::format("<|reserved_special_token_{}|>", i));
    return names;
}

} // namespace

std::unique_ptr<Tokenizer> load_tiktoken(const std::filesystem::path& path)
{
    const auto tokens = read_ranks(path);
    if (tokens.size() != kLlama3Ranks)
        fail(path, fmt::format("a tiktoken file of {} tokens: only Llama 3's ({} tokens) is supported, since the "
                               "file does not say which pre-tokenizer and special tokens go with it",
                               tokens.size(), kLlama3Ranks));
    StringMap<std::size_t> rank_of;
    rank_of.reserve(tokens.size());
    for (std::size_t r = 0; r < tokens.size(); ++r)
        rank_of.emplace(tokens[r], r);

    Gpt2Vocab v;
    v.source = path.string();
    for (const auto& t : tokens) {
        v.pieces.push_back(byte_level::encode(t));
        v.types.push_back(TokenType::Normal);
    }
    // Merges as Hugging Face's tiktoken conversion lists them: by the rank of the result, the
    // splits of one token by the ranks of their halves.
    for (const auto& t : tokens) {
        std::vector<std::pair<std::size_t, std::size_t>> splits;
        for (std::size_t cut = 1; cut < t.size(); ++cut) {
            const auto l = rank_of.find(std::string_view(t).substr(0, cut));
            if (l == rank_of.end())
                continue;
            if (const auto r = rank_of.find(std::string_view(t).substr(cut)); r != rank_of.end())
                splits.emplace_back(l->second, r->second);
        }
        std::sort(splits.begin(), splits.end());
        for (const auto& [l, r] : splits)
            v.merges.emplace_back(v.pieces[l], v.pieces[r]);
    }
    for (auto& name : llama3_special_tokens()) {
        v.pieces.push_back(std::move(name));
        v.types.push_back(TokenType::Control);
    }
    v.bos = static_cast<std::int32_t>(kLlama3Ranks);     // <|begin_of_text|>
    v.eos = static_cast<std::int32_t>(kLlama3Ranks + 1); // <|end_of_text|>
    v.add_bos = true;
    v.pre = PreTokenizer::Llama3;
    v.ignore_merges = true;
    return std::make_unique<Gpt2Tokenizer>(std::move(v));
}

} // namespace edge_rt::model
