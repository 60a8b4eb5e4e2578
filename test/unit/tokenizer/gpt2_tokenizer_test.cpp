// GPT-2 byte-level BPE: gpt-3-encoder's reference encodings through every file format the loader
// reads, and OpenAI's original merge loop as a naive reference.
#include "naive_bpe.hpp"
#include "tokenizer_test_support.hpp"

#include "edge_rt/error.hpp"
#include "gguf_builder.hpp"
#include "tokenizer/gpt2_pretokenizer.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

using namespace edge_rt;
using namespace edge_rt::test;
using model::decode;
using nlohmann::json;

namespace {

const NaiveGpt2Vocab& naive_vocab()
{
    static const auto v = read_naive_gpt2_vocab(tokenizer_data("gpt2-tokenizer", "encoder.json"),
                                                tokenizer_data("gpt2-tokenizer", "vocab.bpe"));
    return v;
}

// The vocabulary by id and the merges in rank order, read without the library.
std::vector<std::string> pieces_by_id()
{
    std::vector<std::string> pieces(naive_vocab().ids.size());
    for (const auto& [piece, id] : naive_vocab().ids)
        pieces.at(static_cast<std::size_t>(id)) = piece;
    return pieces;
}

std::vector<std::string> merges_in_order()
{
    std::vector<std::string> merges(naive_vocab().ranks.size());
    for (const auto& [merge, rank] : naive_vocab().ranks)
        merges.at(static_cast<std::size_t>(rank)) = merge;
    return merges;
}

void write_text(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

void expect_reference_cases(const model::Tokenizer& tok, const std::string& how)
{
    for (const auto& c : read_reference(tokenizer_data("gpt2-tokenizer", "reference.json"))) {
        const auto ids = tok.encode(c.text, false);
        EXPECT_EQ(ids, c.ids) << how << ", text '" << c.text << "' got " << show(ids) << " want " << show(c.ids);
        EXPECT_EQ(decode(tok, c.ids), c.text) << how;
    }
}

// A HF tokenizer.json with the GPT-2 vocabulary; merges as "a b" strings or ["a", "b"] pairs.
std::filesystem::path write_tokenizer_json(const TempDir& dir, bool pair_merges)
{
    json merges = json::array();
    for (const auto& m : merges_in_order()) {
        const auto space = m.find(' ');
        merges.push_back(pair_merges ? json::array({m.substr(0, space), m.substr(space + 1)}) : json(m));
    }
    json vocab = json::object();
    for (const auto& [piece, id] : naive_vocab().ids)
        vocab[piece] = id;
    const json doc = {
        {"version", "1.0"},
        {"added_tokens", json::array({{{"id", 50256}, {"content", "<|endoftext|>"}, {"special", true}}})},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
    };
    const auto path = dir.path() / (pair_merges ? "pairs.json" : "tokenizer.json");
    write_text(path, doc.dump());
    return path;
}

} // namespace

TEST(Gpt2Tokenizer, EncoderJsonAndVocabBpeFolder)
{
    expect_reference_cases(gpt2(), "encoder.json + vocab.bpe");
}

TEST(Gpt2Tokenizer, VocabularyProperties)
{
    const auto& tok = gpt2();
    EXPECT_EQ(tok.vocab_size(), 50257u);
    EXPECT_FALSE(tok.add_bos_by_default());
    EXPECT_FALSE(tok.adds_space_prefix());
    EXPECT_EQ(tok.eos(), 50256);
    EXPECT_EQ(tok.bos(), 50256); // GPT-2 starts documents with <|endoftext|> when asked for BOS
    EXPECT_EQ(tok.encode("Hello world", true), (std::vector<std::int32_t>{50256, 15496, 995}));
    EXPECT_EQ(tok.piece(995), "\xC4\xA0world"); // "Ġworld"
    EXPECT_EQ(tok.token_bytes(995), " world");
    EXPECT_EQ(tok.token_bytes(198), "\n");       // "Ċ"
    EXPECT_EQ(tok.piece(50256), "<|endoftext|>");
    EXPECT_EQ(tok.token_bytes(50256), "");
    EXPECT_THROW(tok.token_bytes(50257), FormatError);
}

TEST(Gpt2Tokenizer, VocabJsonAndMergesTxt)
{
    const TempDir dir;
    std::filesystem::copy_file(tokenizer_data("gpt2-tokenizer", "encoder.json"), dir.path() / "vocab.json");
    std::filesystem::copy_file(tokenizer_data("gpt2-tokenizer", "vocab.bpe"), dir.path() / "merges.txt");
    expect_reference_cases(*model::load_tokenizer(dir.path()), "folder with vocab.json + merges.txt");
    EXPECT_EQ(model::load_tokenizer(dir.path() / "merges.txt")->encode("Hello world", false),
              (std::vector<std::int32_t>{15496, 995}));
}

TEST(Gpt2Tokenizer, TokenizerJsonWithStringAndPairMerges)
{
    const TempDir dir;
    expect_reference_cases(*model::load_tokenizer(write_tokenizer_json(dir, false)), "tokenizer.json \"a b\"");
    expect_reference_cases(*model::load_tokenizer(write_tokenizer_json(dir, true)), "tokenizer.json [a, b]");
    // A folder holding tokenizer.json picks it.
    expect_reference_cases(*model::load_tokenizer(dir.path()), "folder with tokenizer.json");
}

TEST(Gpt2Tokenizer, GgufMetadata)
{
    const auto pieces = pieces_by_id();
    std::vector<std::int32_t> types(pieces.size(), 1);
    types.back() = 3; // <|endoftext|> is control
    const auto bytes = GgufBuilder()
                           .kv_string("general.architecture", "gpt2")
                           .kv_string("tokenizer.ggml.model", "gpt2")
                           .kv_string("tokenizer.ggml.pre", "gpt2")
                           .kv_strings("tokenizer.ggml.tokens", pieces)
                           .kv_i32s("tokenizer.ggml.token_type", types)
                           .kv_strings("tokenizer.ggml.merges", merges_in_order())
                           .kv_u32("tokenizer.ggml.bos_token_id", 50256)
                           .kv_u32("tokenizer.ggml.eos_token_id", 50256)
                           .build();
    const TempDir dir;
    const auto tok = model::load_tokenizer(dir.write("gpt2.gguf", bytes));
    expect_reference_cases(*tok, "GGUF");
    EXPECT_FALSE(tok->add_bos_by_default());
    EXPECT_EQ(tok->eos(), 50256);
}

TEST(Gpt2Tokenizer, MatchesNaiveReferenceEncoder)
{
    const std::vector<std::string> alphabet = {
        "a", "e", "t", "th", "the", "ing", "The", " ", " ", "  ", "\n", "\t", "1", "42", "2026", ".", ",", "'s",
        "'ll", "'S", "!", "?!", "é", "ü", "ß", "日本", "語", "🤖", "🍓", "—", "Lily", "GPT", " -", "\xC2\xA0"};
    std::mt19937 rng(4242);
    const auto& tok = gpt2();
    for (int i = 0; i < 150; ++i) {
        std::string text;
        const std::size_t parts = 1 + rng() % 24;
        for (std::size_t k = 0; k < parts; ++k)
            text += alphabet[rng() % alphabet.size()];
        const auto want = naive_gpt2_encode(naive_vocab(), model::gpt2_pretokenize(text));
        EXPECT_EQ(tok.encode(text, false), want) << "text: '" << text << "'";
        EXPECT_EQ(decode(tok, want), text);
    }
}

TEST(Gpt2Tokenizer, EdgeCasesRoundTrip)
{
    const auto& tok = gpt2();
    EXPECT_TRUE(tok.encode("", false).empty());
    EXPECT_EQ(tok.encode(" ", false), (std::vector<std::int32_t>{220}));     // "Ġ"
    EXPECT_EQ(tok.encode("\n\n", false), (std::vector<std::int32_t>{628})); // "ĊĊ"
    for (const std::string text : {"   ", "\n", " \n \n", "日本語のテキスト", "🤖🤖🤖", "a\u00A0b", "<|endoftext|>"})
        EXPECT_EQ(decode(tok, tok.encode(text, false)), text);
    // Text is not parsed for special tokens: <|endoftext|> is spelled out.
    for (const auto id : tok.encode("<|endoftext|>", false))
        EXPECT_NE(id, 50256);
}

// Byte-level BPE has a token for every byte: invalid UTF-8 input is encoded losslessly, the raw
// token bytes give it back exactly, and decoding to text replaces it with U+FFFD.
TEST(Gpt2Tokenizer, InvalidUtf8InputIsKeptAsBytes)
{
    const auto& tok = gpt2();
    const std::string text = "\xFF\xFE ok \xC3";
    const auto ids = tok.encode(text, false);
    std::string raw;
    for (const auto id : ids)
        raw += tok.token_bytes(id);
    EXPECT_EQ(raw, text);
    EXPECT_EQ(decode(tok, ids), "\xEF\xBF\xBD\xEF\xBF\xBD ok \xEF\xBF\xBD");
}
