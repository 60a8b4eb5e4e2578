// Byte-level tokenizer.json files in the forms Qwen2, Llama 3 and SmolLM/StarCoder ship them,
// made here from the shared vocabularies: Qwen2's from its vocab.json + merges.txt (NFC
// normalizer, Split with the Qwen2 pattern, ByteLevel without regex), Llama 3's from the tiktoken
// ranks (merges listed as HF's conversion lists them, ignore_merges), StarCoder's from its GGUF
// (Digits + ByteLevel). Each must reproduce its vocabulary's llama.cpp vectors.
#include "naive_bpe.hpp"
#include "tokenizer_test_support.hpp"
#include "vocab_vectors.hpp"

#include "model/gguf.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

using namespace edge_rt;
using namespace edge_rt::test;
using nlohmann::json;

namespace {

constexpr const char* kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

json split_then_byte_level(const char* pattern)
{
    return {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
              {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}};
}

std::string read_text(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path write_json(const TempDir& dir, const json& j)
{
    const auto path = dir.path() / "tokenizer.json";
    std::ofstream(path) << j.dump();
    return path;
}

std::string base64_decode(const std::string& in)
{
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0, value = 0;
    for (const char c : in) {
        if (c == '=')
            break;
        value = (value << 6) | static_cast<int>(alphabet.find(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xFF);
        }
    }
    return out;
}

} // namespace

TEST(HfByteLevelJson, Qwen2SplitPattern)
{
    const auto dir = shared_tokenizers() / "qwen2";
    SKIP_UNLESS_SHARED(dir / "vocab.json");
    json merges = json::array();
    std::istringstream lines(read_text(dir / "merges.txt"));
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') // this copy has CRLF line ends
            line.pop_back();
        if (!line.empty() && !line.starts_with("#version"))
            merges.push_back(line);
    }
    json added = json::array();
    const json added_tokens = json::parse(read_text(dir / "added_tokens.json"));
    for (const auto& [text, id] : added_tokens.items())
        added.push_back({{"id", id}, {"content", text}, {"special", true}});
    const TempDir tmp;
    const auto tok = model::load_tokenizer(write_json(
        tmp, {{"added_tokens", added},
              {"normalizer", {{"type", "NFC"}}},
              {"pre_tokenizer", split_then_byte_level(kQwen2Pattern)},
              {"model", {{"type", "BPE"}, {"vocab", json::parse(read_text(dir / "vocab.json"))}, {"merges", merges}}}}));
    const auto total = read_vocab_vectors("qwen2").size();
    EXPECT_EQ(expect_vocab_vectors(*tok, "qwen2", true), total);
    EXPECT_EQ(expect_vocab_vectors(*tok, "deepseek-r1-qwen", true), total);
    EXPECT_EQ(tok->encode("<|im_start|>", false, true), (std::vector<std::int32_t>{151644}));
}

TEST(HfByteLevelJson, Llama3SplitPatternWithIgnoreMerges)
{
    const auto path = shared_tokenizers() / "llama3" / "tokenizer.model";
    SKIP_UNLESS_SHARED(path);
    std::vector<std::string> tokens; // bytes by rank
    std::map<std::string, std::size_t> rank;
    std::istringstream lines(read_text(path));
    for (std::string line; std::getline(lines, line);) {
        const auto space = line.find(' ');
        const auto r = std::stoul(line.substr(space + 1));
        tokens.resize(std::max(tokens.size(), r + 1));
        tokens[r] = base64_decode(line.substr(0, space));
        rank[tokens[r]] = r;
    }
    json vocab = json::object();
    json merges = json::array();
    for (std::size_t r = 0; r < tokens.size(); ++r) {
        vocab[naive_byte_level(tokens[r])] = r;
        std::vector<std::pair<std::size_t, std::size_t>> splits;
        for (std::size_t cut = 1; cut < tokens[r].size(); ++cut) {
            const auto l = rank.find(tokens[r].substr(0, cut));
            const auto rr = rank.find(tokens[r].substr(cut));
            if (l != rank.end() && rr != rank.end())
                splits.emplace_back(l->second, rr->second);
        }
        std::sort(splits.begin(), splits.end());
        for (const auto& [a, b] : splits)
            merges.push_back(naive_byte_level(tokens[a]) + " " + naive_byte_level(tokens[b]));
    }
    const json added = json::array({{{"id", 128000}, {"content", "<|begin_of_text|>"}, {"special", true}},
                                    {{"id", 128001}, {"content", "<|end_of_text|>"}, {"special", true}}});
    const json post = {{"type", "Sequence"},
                       {"processors",
                        {{{"type", "ByteLevel"}},
                         {{"type", "TemplateProcessing"},
                          {"single",
                           {{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
                            {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}}}}}};
    const TempDir tmp;
    json j = {{"added_tokens", added},
              {"normalizer", nullptr},
              {"pre_tokenizer", split_then_byte_level(kLlama3Pattern)},
              {"post_processor", post},
              {"model", {{"type", "BPE"}, {"ignore_merges", true}, {"vocab", vocab}, {"merges", merges}}}};
    const auto tok = model::load_tokenizer(write_json(tmp, j));
    EXPECT_EQ(expect_vocab_vectors(*tok, "llama-bpe", true), read_vocab_vectors("llama-bpe").size());
    EXPECT_EQ(tok->bos(), 128000);
    EXPECT_TRUE(tok->add_bos_by_default());
    // Without ignore_merges "Cửa Việt" merges differently (../shared/tokenizers/llama3/SOURCE.txt).
    j["model"]["ignore_merges"] = false;
    const auto merging = model::load_tokenizer(write_json(tmp, j));
    EXPECT_NE(merging->encode("Cửa Việt", false), tok->encode("Cửa Việt", false));
}

TEST(HfByteLevelJson, StarcoderDigitsThenByteLevel)
{
    const auto gguf = shared_tokenizers() / "llama.cpp-vocab-tests" / "ggml-vocab-starcoder.gguf";
    SKIP_UNLESS_SHARED(gguf);
    const auto f = model::read_gguf(gguf);
    json vocab = json::object();
    std::size_t id = 0;
    for (const auto& t : *f.find("tokenizer.ggml.tokens")->as_array())
        vocab[*t.as_string()] = id++;
    json merges = json::array();
    for (const auto& m : *f.find("tokenizer.ggml.merges")->as_array())
        merges.push_back(*m.as_string());
    const json pre = {{"type", "Sequence"},
                      {"pretokenizers",
                       {{{"type", "Digits"}, {"individual_digits", true}},
                        {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}}}};
    const TempDir tmp;
    const auto tok = model::load_tokenizer(
        write_json(tmp, {{"pre_tokenizer", pre}, {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}}}));
    EXPECT_EQ(expect_vocab_vectors(*tok, "starcoder", true), read_vocab_vectors("starcoder").size());
}
