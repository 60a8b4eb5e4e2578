// GPT-2's pre-tokenizer against cuts worked out by hand from its pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
#include "tokenizer/gpt2_pretokenizer.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using edge_rt::model::gpt2_pretokenize;

namespace {
std::vector<std::string> cut(std::string_view text)
{
    std::vector<std::string> out;
    for (const auto piece : gpt2_pretokenize(text))
        out.emplace_back(piece);
    return out;
}
using Pieces = std::vector<std::string>;
} // namespace

TEST(Gpt2Pretokenizer, WordsTakeTheirLeadingSpace)
{
    EXPECT_EQ(cut("Hello world"), (Pieces{"Hello", " world"}));
    EXPECT_EQ(cut(" leading space"), (Pieces{" leading", " space"}));
    EXPECT_EQ(cut(" café naïve"), (Pieces{" café", " naïve"}));
    EXPECT_EQ(cut("日本語のテキスト"), (Pieces{"日本語のテキスト"})); // all Lo / Lm letters
}

TEST(Gpt2Pretokenizer, Contractions)
{
    EXPECT_EQ(cut("don't"), (Pieces{"don", "'t"}));
    EXPECT_EQ(cut("I'll we're they'd you've I'm it's"),
              (Pieces{"I", "'ll", " we", "'re", " they", "'d", " you", "'ve", " I", "'m", " it", "'s"}));
    EXPECT_EQ(cut("'sup"), (Pieces{"'s", "up"}));      // the contraction wins even inside a word
    EXPECT_EQ(cut("IT'S"), (Pieces{"IT", "'", "S"})); // upper case is no contraction
    EXPECT_EQ(cut("!!'s"), (Pieces{"!!'", "s"}));     // inside a run of punctuation it is punctuation
}

TEST(Gpt2Pretokenizer, NumbersAndPunctuation)
{
    EXPECT_EQ(cut("3.14159 1e-5"), (Pieces{"3", ".", "14159", " 1", "e", "-", "5"}));
    EXPECT_EQ(cut("GHz!!! @ 1.8"), (Pieces{"GHz", "!!!", " @", " 1", ".", "8"}));
    EXPECT_EQ(cut("x½²٣"), (Pieces{"x", "½²٣"})); // No, No, Nd: one run of numbers
    EXPECT_EQ(cut("€100"), (Pieces{"€", "100"}));   // Sc is "other"
    EXPECT_EQ(cut("🤖 on 🍓"), (Pieces{"🤖", " on", " 🍓"}));
}

TEST(Gpt2Pretokenizer, WhitespaceRunsLeaveOneSpaceToTheNextWord)
{
    EXPECT_EQ(cut("multiple   spaces"), (Pieces{"multiple", "  ", " spaces"}));
    EXPECT_EQ(cut("a\tb"), (Pieces{"a", "\t", "b"}));       // a tab is not the optional " "
    EXPECT_EQ(cut("a   \n\nb"), (Pieces{"a", "   \n", "\n", "b"}));
    EXPECT_EQ(cut("lines\n\n"), (Pieces{"lines", "\n\n"})); // a trailing run stays whole
    EXPECT_EQ(cut("end  "), (Pieces{"end", "  "}));
    EXPECT_EQ(cut(" "), (Pieces{" "}));
    EXPECT_EQ(cut("a\xC2\xA0" "b"), (Pieces{"a", "\xC2\xA0", "b"})); // U+00A0 is White_Space
    EXPECT_EQ(cut("a \xE3\x80\x80x"), (Pieces{"a", " ", "\xE3\x80\x80", "x"})); // U+3000 too
}

TEST(Gpt2Pretokenizer, InvalidBytesAreOtherCharacters)
{
    EXPECT_EQ(cut("\xFF\xFE" "ab \xC3"), (Pieces{"\xFF\xFE", "ab", " \xC3"}));
    EXPECT_TRUE(cut("").empty());
}
