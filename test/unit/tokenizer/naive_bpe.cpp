#include "naive_bpe.hpp"

#include "model/gguf.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace edge_rt::test {
namespace {

std::size_t utf8_length(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

std::string slurp(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void put_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else { // the byte-level table only reaches U+0143
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace

NaiveSpmVocab read_naive_spm_vocab(const std::filesystem::path& gguf)
{
    const auto file = model::read_gguf(gguf);
    NaiveSpmVocab v;
    const auto& tokens = *file.find("tokenizer.ggml.tokens")->as_array();
    const auto& scores = *file.find("tokenizer.ggml.scores")->as_array();
    const auto& types = *file.find("tokenizer.ggml.token_type")->as_array();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        v.ids.emplace(*tokens[i].as_string(), static_cast<std::int32_t>(i));
        v.scores.push_back(static_cast<float>(*scores[i].as_float()));
        v.types.push_back(static_cast<std::int32_t>(*types[i].as_int()));
    }
    return v;
}

std::vector<std::int32_t> naive_spm_encode(const NaiveSpmVocab& vocab, std::string_view text)
{
    std::string spelled = "\xE2\x96\x81";
    for (const char c : text)
        spelled += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
    std::vector<std::string> symbols;
    for (std::size_t i = 0; i < spelled.size();) {
        const std::size_t n = utf8_length(static_cast<unsigned char>(spelled[i]));
        symbols.push_back(spelled.substr(i, n));
        i += n;
    }
    const auto normal_id = [&](const std::string& s) -> std::int32_t {
        const auto it = vocab.ids.find(s);
        return it != vocab.ids.end() && vocab.types[static_cast<std::size_t>(it->second)] == 1 ? it->second : -1;
    };
    for (;;) {
        std::size_t best = symbols.size();
        float best_score = -std::numeric_limits<float>::infinity();
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
            const auto id = normal_id(symbols[i] + symbols[i + 1]);
            if (id >= 0 && (best == symbols.size() || vocab.scores[static_cast<std::size_t>(id)] > best_score)) {
                best = i;
                best_score = vocab.scores[static_cast<std::size_t>(id)];
            }
        }
        if (best == symbols.size())
            break;
        symbols[best] += symbols[best + 1];
        symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
    std::vector<std::int32_t> ids;
    for (const auto& s : symbols) {
        if (const auto id = normal_id(s); id >= 0) {
            ids.push_back(id);
            continue;
        }
        for (const char c : s) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(c));
            ids.push_back(vocab.ids.at(name));
        }
    }
    return ids;
}

std::string naive_byte_level(std::string_view bytes)
{
    // bytes_to_unicode(): the printable ranges keep their value, the rest get 256, 257, ... in
    // byte order.
    std::array<std::uint32_t, 256> table{};
    std::uint32_t next = 256;
    for (std::uint32_t b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        table[b] = printable ? b : next++;
    }
    std::string out;
    for (const char c : bytes)
        put_utf8(out, table[static_cast<unsigned char>(c)]);
    return out;
}

NaiveGpt2Vocab read_naive_gpt2_vocab(const std::filesystem::path& encoder_json,
                                     const std::filesystem::path& vocab_bpe)
{
    NaiveGpt2Vocab v;
    const auto encoder = nlohmann::json::parse(slurp(encoder_json));
    for (const auto& [piece, id] : encoder.items())
        v.ids.emplace(piece, id.get<std::int32_t>());
    std::istringstream merges(slurp(vocab_bpe));
    std::string line;
    std::getline(merges, line); // #version: 0.2
    for (std::int32_t rank = 0; std::getline(merges, line);)
        if (!line.empty())
            v.ranks.emplace(line, rank++);
    return v;
}

std::vector<std::int32_t> naive_gpt2_encode(const NaiveGpt2Vocab& vocab, const std::vector<std::string_view>& words)
{
    std::vector<std::int32_t> ids;
    for (const auto word : words) {
        const std::string spelled = naive_byte_level(word);
        std::vector<std::string> parts;
        for (std::size_t i = 0; i < spelled.size();) {
            const std::size_t n = utf8_length(static_cast<unsigned char>(spelled[i]));
            parts.push_back(spelled.substr(i, n));
            i += n;
        }
        for (;;) {
            std::int32_t best_rank = std::numeric_limits<std::int32_t>::max();
            std::string first, second;
            for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
                const auto it = vocab.ranks.find(parts[i] + " " + parts[i + 1]);
                if (it != vocab.ranks.end() && it->second < best_rank) {
                    best_rank = it->second;
                    first = parts[i];
                    second = parts[i + 1];
                }
            }
            if (best_rank == std::numeric_limits<std::int32_t>::max())
                break;
            std::vector<std::string> merged;
            for (std::size_t i = 0; i < parts.size(); ++i) {
                if (i + 1 < parts.size() && parts[i] == first && parts[i + 1] == second) {
                    merged.push_back(first + second);
                    ++i;
                } else {
                    merged.push_back(parts[i]);
                }
            }
            parts = std::move(merged);
        }
        for (const auto& p : parts)
            ids.push_back(vocab.ids.at(p));
    }
    return ids;
}

} // namespace edge_rt::test
