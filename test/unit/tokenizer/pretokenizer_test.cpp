// The pre-tokenizers of the byte-level vocabulary families against cuts worked out by hand from
// their patterns (see pretokenizer.hpp for the patterns).
#include "tokenizer/pretokenizer.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using edge_rt::model::PreTokenizer;
using edge_rt::model::pretokenize;
using edge_rt::model::pretokenizer_named;

namespace {
using Pieces = std::vector<std::string>;

Pieces cut(PreTokenizer kind, std::string_view text)
{
    Pieces out;
    for (const auto piece : pretokenize(kind, text))
        out.emplace_back(piece);
    return out;
}
} // namespace

TEST(Llama3Pretokenizer, LettersTakeOneLeadingNonLetter)
{
    EXPECT_EQ(cut(PreTokenizer::Llama3, "Hello world"), (Pieces{"Hello", " world"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, "\tabc,def"), (Pieces{"\tabc", ",def"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, "\nabc"), (Pieces{"\n", "abc"})); // never a newline
}

TEST(Llama3Pretokenizer, ContractionsIgnoreCase)
{
    EXPECT_EQ(cut(PreTokenizer::Llama3, "I'VE been 'told"), (Pieces{"I", "'VE", " been", " '", "told"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, "we'Ll it'S"), (Pieces{"we", "'Ll", " it", "'S"}));
    EXPECT_EQ(cut(PreTokenizer::Gpt2, "we'Ll"), (Pieces{"we", "'", "Ll"})); // GPT-2: lower case only
}

TEST(Llama3Pretokenizer, NumbersInGroupsOfThreeQwen2InSingleDigits)
{
    EXPECT_EQ(cut(PreTokenizer::Llama3, "3333333"), (Pieces{"333", "333", "3"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, " 12a"), (Pieces{" ", "12", "a"}));
    EXPECT_EQ(cut(PreTokenizer::Qwen2, "1234"), (Pieces{"1", "2", "3", "4"}));
    EXPECT_EQ(cut(PreTokenizer::Qwen2, "x 12"), (Pieces{"x", " ", "1", "2"}));
}

TEST(Llama3Pretokenizer, PunctuationKeepsTheNewlinesAfterIt)
{
    EXPECT_EQ(cut(PreTokenizer::Llama3, "hello!!\n\nworld"), (Pieces{"hello", "!!\n\n", "world"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, " (x)"), (Pieces{" (", "x", ")"}));
}

TEST(Llama3Pretokenizer, WhitespaceUpToTheLastNewlineThenLeavesOneSpace)
{
    EXPECT_EQ(cut(PreTokenizer::Llama3, "  Hello\n\n  x"), (Pieces{" ", " Hello", "\n\n", " ", " x"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, "a \n b"), (Pieces{"a", " \n", " b"}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, "ab  "), (Pieces{"ab", "  "}));
    EXPECT_EQ(cut(PreTokenizer::Llama3, "\t("), (Pieces{"\t", "("}));
}

TEST(StarcoderPretokenizer, EveryDigitAloneThenGpt2)
{
    EXPECT_EQ(cut(PreTokenizer::Starcoder, "abc 123"), (Pieces{"abc", " ", "1", "2", "3"}));
    EXPECT_EQ(cut(PreTokenizer::Starcoder, "x1y"), (Pieces{"x", "1", "y"}));
}

TEST(DeepseekLlmPretokenizer, SplitsInSequence)
{
    EXPECT_EQ(cut(PreTokenizer::DeepseekLlm, "Hello, world 123\n"),
              (Pieces{"Hello", ",", " world", " ", "1", "2", "3", "\n"}));
    // CJK and Hangul runs stand alone; an ideographic space is punctuation to this pattern.
    EXPECT_EQ(cut(PreTokenizer::DeepseekLlm, "ab中文가"), (Pieces{"ab", "中文가"}));
    EXPECT_EQ(cut(PreTokenizer::DeepseekLlm, "a  "), (Pieces{"a", "  "}));
}

TEST(Pretokenizer, PiecesCoverTheTextExactly)
{
    const std::string text = "Cửa Việt 🦙\r\n\t 3.14 'RE you\xFF\xC0 sure? 日本語";
    for (const auto kind : {PreTokenizer::Gpt2, PreTokenizer::Llama3, PreTokenizer::Qwen2, PreTokenizer::Starcoder,
                            PreTokenizer::DeepseekLlm}) {
        std::string joined;
        for (const auto& p : cut(kind, text)) {
            EXPECT_FALSE(p.empty());
            joined += p;
        }
        EXPECT_EQ(joined, text) << static_cast<int>(kind);
    }
}

TEST(Pretokenizer, GgufNames)
{
    EXPECT_EQ(pretokenizer_named("llama-bpe"), PreTokenizer::Llama3);
    EXPECT_EQ(pretokenizer_named("smollm"), PreTokenizer::Starcoder);
    EXPECT_EQ(pretokenizer_named("phi-2"), PreTokenizer::Gpt2);
    EXPECT_EQ(pretokenizer_named("deepseek-r1-qwen"), PreTokenizer::Qwen2);
    EXPECT_EQ(pretokenizer_named("tekken"), std::nullopt);
}
