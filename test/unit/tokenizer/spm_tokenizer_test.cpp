// SentencePiece-style BPE (Llama): the llama.cpp reference encodings of the 32k vocabulary, the
// bundled stories260K model, llama2.c's tokenizer.bin, and a naive reference encoder.
#include "naive_bpe.hpp"
#include "tokenizer_test_support.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "gguf_builder.hpp"
#include "model/gguf.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <sstream>

using namespace edge_rt;
using namespace edge_rt::test;
using model::decode;

namespace {

std::vector<std::int32_t> with_bos(std::vector<std::int32_t> ids)
{
    ids.insert(ids.begin(), 1);
    return ids;
}

// Strings built from pieces that exercise spaces, newlines, digits, accents, CJK, emoji.
std::vector<std::string> random_texts(std::size_t count)
{
    const std::vector<std::string> alphabet = {
        "a", "e", "t", "th", "the", "ing", " ", " ", "  ", "\n", "\t", "1", "42", ".", ",", "'s", "!",
        "é", "ü", "ß", "日本", "語", "の", "🤖", "🍓", "—", "Lily", "Once", "upon", "Pi", "<s>"};
    std::mt19937 rng(20260423);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        std::string s;
        const std::size_t parts = 1 + rng() % 24;
        for (std::size_t k = 0; k < parts; ++k)
            s += alphabet[rng() % alphabet.size()];
        out.push_back(s);
    }
    return out;
}

const std::string kParagraph =
    "Once upon a time, in a small village at the foot of the mountains, there lived a girl named "
    "Lily. Every morning she walked 3.5 km to school, humming songs her grandmother had taught "
    "her.\nOne day she found a strange device: a Raspberry Pi 4 running a tiny language model! "
    "\"Can you tell stories?\" she asked. The board blinked, thought for 1234 ms, and replied with "
    "a tale about dragons, naïve knights and a café in Zürich — 🐉🏰 — that made her laugh.\n\n";

} // namespace

// The references come from llama.cpp with add_special=true: BOS first. Decoding drops the
// dummy-prefix space of the first piece after BOS (SentencePiece's rule), so every text comes
// back exactly, leading spaces included (" leading ..." was encoded as "▁▁leading ...").
TEST(SpmTokenizer, EncodesEveryLlamaReferenceCase)
{
    const auto& tok = llama_spm();
    for (const auto& c : read_reference(tokenizer_data("llama-spm-vocab", "reference.json"))) {
        const auto ids = tok.encode(c.text, true);
        EXPECT_EQ(ids, c.ids) << "text: '" << c.text << "' got " << show(ids) << " want " << show(c.ids);
    }
}

TEST(SpmTokenizer, DecodesEveryLlamaReferenceCaseBackToItsText)
{
    const auto& tok = llama_spm();
    for (const auto& c : read_reference(tokenizer_data("llama-spm-vocab", "reference.json")))
        EXPECT_EQ(decode(tok, c.ids), c.text) << show(c.ids);
}

TEST(SpmTokenizer, LlamaVocabularyProperties)
{
    const auto& tok = llama_spm();
    EXPECT_EQ(tok.vocab_size(), 32000u);
    EXPECT_EQ(tok.bos(), 1);
    EXPECT_EQ(tok.eos(), 2);
    EXPECT_TRUE(tok.add_bos_by_default());
    EXPECT_TRUE(tok.adds_space_prefix());
    EXPECT_EQ(tok.piece(15043), "\xE2\x96\x81Hello");
    EXPECT_EQ(tok.token_bytes(15043), " Hello");
    EXPECT_EQ(tok.piece(13), "<0x0A>");
    EXPECT_EQ(tok.token_bytes(13), "\n");
    EXPECT_EQ(tok.token_bytes(3 + 0xF0), "\xF0"); // <0xF0>: a lone byte, part of a character
    EXPECT_EQ(tok.token_bytes(1), "");             // control tokens decode to nothing
    EXPECT_EQ(tok.token_bytes(2), "");
    EXPECT_THROW(tok.token_bytes(32000), FormatError);
    EXPECT_THROW(tok.piece(-1), FormatError);
}

TEST(SpmTokenizer, BundledModelPrompt)
{
    const auto tok = model::tokenizer_from_gguf(model::read_gguf(bundled_model()));
    EXPECT_EQ(tok->vocab_size(), 512u);
    EXPECT_EQ(tok->encode("Once upon a time", true), (std::vector<std::int32_t>{1, 403, 407, 261, 378}));
    EXPECT_EQ(tok->encode("Once upon a time", false), (std::vector<std::int32_t>{403, 407, 261, 378}));
    EXPECT_EQ(decode(*tok, std::vector<std::int32_t>{1, 403, 407, 261, 378}), "Once upon a time");
}

// llama2.c's published greedy output of stories260K: 200 ids after BOS and their text, which has
// newlines spelled as <0x0A> byte tokens.
TEST(SpmTokenizer, BundledModelDecodesItsGreedyReference)
{
    const auto tok = model::load_tokenizer(bundled_model());
    std::ifstream ids_file(tokenizer_data("stories260K", "reference/greedy_bos_200steps.ids"));
    std::vector<std::int32_t> ids{1};
    for (std::int32_t id = 0; ids_file >> id;)
        ids.push_back(id);
    ASSERT_EQ(ids.size(), 201u);
    std::ifstream text_file(tokenizer_data("stories260K", "reference/greedy_bos_200steps.txt"), std::ios::binary);
    std::ostringstream text;
    text << text_file.rdbuf();
    ASSERT_EQ(text.str().size(), 464u);
    EXPECT_EQ(decode(*tok, ids), text.str());
}

// The same 32k vocabulary in llama2.c's format: its SOURCE.md encodings and llama.cpp's.
TEST(SpmTokenizer, Llama2cTokenizerBin)
{
    const auto tok = model::load_tokenizer(tokenizer_data("llama2c-tokenizer-32k", "tokenizer.bin"));
    EXPECT_EQ(tok->vocab_size(), 32000u);
    EXPECT_EQ(tok->encode("Once upon a time", true), (std::vector<std::int32_t>{1, 9038, 2501, 263, 931}));
    EXPECT_EQ(tok->encode("One day, Lily met a Shoggoth", true),
              (std::vector<std::int32_t>{1, 3118, 2462, 29892, 365, 2354, 1539, 263, 1383, 468, 29887, 720}));
    for (const auto& c : read_reference(tokenizer_data("llama-spm-vocab", "reference.json"))) {
        EXPECT_EQ(tok->encode(c.text, true), c.ids) << c.text;
        EXPECT_EQ(decode(*tok, c.ids), c.text);
    }
}

TEST(SpmTokenizer, MatchesNaiveReferenceEncoder)
{
    const auto& tok = llama_spm();
    const auto naive = read_naive_spm_vocab(tokenizer_data("llama-spm-vocab", "ggml-vocab-llama-spm.gguf"));
    auto texts = random_texts(120);
    texts.push_back(kParagraph);
    for (const auto& text : texts) {
        const auto want = with_bos(naive_spm_encode(naive, text));
        EXPECT_EQ(tok.encode(text, true), want) << "text: '" << text << "'";
        EXPECT_EQ(decode(tok, want), text);
    }
}

TEST(SpmTokenizer, EmptyTextIsJustBos)
{
    const auto& tok = llama_spm();
    EXPECT_EQ(tok.encode("", true), std::vector<std::int32_t>{1});
    EXPECT_TRUE(tok.encode("", false).empty());
    EXPECT_EQ(decode(tok, std::vector<std::int32_t>{1}), "");
}

TEST(SpmTokenizer, SpacesAndNewlinesRoundTrip)
{
    const auto& tok = llama_spm();
    for (const std::string text : {" ", "   ", "\n", "\n\n\n", " \n ", "a  \n  b", "\t\t"}) {
        const auto ids = tok.encode(text, true);
        EXPECT_EQ(decode(tok, ids), text) << show(ids);
    }
    // "▁▁" (259) has score -1e9: the single space becomes "▁" + "▁" and nothing better exists.
    EXPECT_EQ(tok.encode(" ", false), (std::vector<std::int32_t>{259}));
    EXPECT_EQ(tok.encode("\n", false), (std::vector<std::int32_t>{29871, 13})); // "▁", <0x0A>
}

// Without BOS the decoder keeps the dummy prefix: SentencePiece's rule is tied to BOS.
TEST(SpmTokenizer, DummyPrefixStaysWithoutBos)
{
    const auto& tok = llama_spm();
    EXPECT_EQ(decode(tok, tok.encode("Hello world", false)), " Hello world");
}

// Invalid UTF-8 input does not crash: each invalid byte becomes its byte-fallback token, and
// decoding turns each invalid sequence into U+FFFD.
TEST(SpmTokenizer, InvalidUtf8InputFallsBackToBytes)
{
    const auto& tok = llama_spm();
    const auto ab = read_naive_spm_vocab(tokenizer_data("llama-spm-vocab", "ggml-vocab-llama-spm.gguf")).ids.at("ab");
    const auto ids = tok.encode("\xFF\xFE" "ab\xC3", true);
    EXPECT_EQ(ids, (std::vector<std::int32_t>{1, 29871, 3 + 0xFF, 3 + 0xFE, ab, 3 + 0xC3})) << show(ids);
    EXPECT_EQ(decode(tok, ids), "\xEF\xBF\xBD\xEF\xBF\xBD" "ab\xEF\xBF\xBD");
}

// Text is never parsed for special tokens: "<s>" is spelled out, not BOS.
TEST(SpmTokenizer, SpecialTokenTextIsPlainText)
{
    const auto& tok = llama_spm();
    const auto ids = tok.encode("<s></s>", false);
    for (const auto id : ids)
        EXPECT_GT(id, 2) << show(ids);
    EXPECT_EQ(decode(tok, with_bos(ids)), "<s></s>");
}

TEST(SpmTokenizer, SixteenKilobytesRoundTrip)
{
    std::string text;
    while (text.size() < 16 * 1024)
        text += kParagraph;
    const auto& tok = llama_spm();
    const auto ids = tok.encode(text, true);
    EXPECT_LT(ids.size(), text.size() / 2);
    EXPECT_EQ(decode(tok, ids), text);
}

namespace {

// A vocabulary small enough to work out by hand: no byte tokens, so unknown characters are <unk>.
std::unique_ptr<model::Tokenizer> hand_made(bool space_prefix, const TempDir& dir)
{
    const std::vector<std::string> pieces = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b", "ab",
                                             "\xE2\x96\x81" "a", "\xE2\x96\x81" "ab", "aa", "<s"};
    const std::vector<float> scores = {0, 0, 0, -10, -10, -10, -1, -2, -0.5f, -3, 5};
    const std::vector<std::int32_t> types = {2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3};
    const auto bytes = GgufBuilder()
                           .kv_string("tokenizer.ggml.model", "llama")
                           .kv_strings("tokenizer.ggml.tokens", pieces)
                           .kv_raw("tokenizer.ggml.scores", 9, f32_array_payload(scores))
                           .kv_i32s("tokenizer.ggml.token_type", types)
                           .kv_u32("tokenizer.ggml.bos_token_id", 1)
                           .kv_u32("tokenizer.ggml.eos_token_id", 2)
                           .kv_u32("tokenizer.ggml.unknown_token_id", 0)
                           .kv_raw("tokenizer.ggml.add_space_prefix", 7, {space_prefix ? std::uint8_t{1} : std::uint8_t{0}})
                           .build();
    return model::load_tokenizer(dir.write(space_prefix ? "prefix.gguf" : "plain.gguf", bytes));
}

} // namespace

TEST(SpmTokenizer, HandMadeVocabulary)
{
    const TempDir dir;
    const auto tok = hand_made(true, dir);
    using Ids = std::vector<std::int32_t>;
    // "▁" "a" "b": "ab" (-1) beats "▁a" (-2); then "▁ab" (-0.5).
    EXPECT_EQ(tok->encode("ab", true), (Ids{1, 8}));
    EXPECT_EQ(tok->encode("ba", false), (Ids{3, 5, 4}));
    // "▁a" (-2) beats "aa" (-3); then "▁aa" is no entry, so the remaining "a" "a" merge.
    EXPECT_EQ(tok->encode("aaa", false), (Ids{7, 9}));
    // No byte tokens: an unknown character is one <unk>, decoded as SentencePiece's " ⁇ ".
    EXPECT_EQ(tok->encode("\xC3\xA9", false), (Ids{3, 0}));
    EXPECT_EQ(model::decode(*tok, Ids{1, 3, 0}), " \xE2\x81\x87 ");
    // "<s" is a control entry (score 5): merging never produces it.
    EXPECT_EQ(tok->encode("<s", false), (Ids{3, 0, 0}));

    const auto plain = hand_made(false, dir);
    EXPECT_FALSE(plain->adds_space_prefix());
    EXPECT_EQ(plain->encode("aaa", false), (Ids{9, 4})); // equal scores: the leftmost pair first
    EXPECT_EQ(plain->encode("a b", false), (Ids{4, 3, 5}));
}
