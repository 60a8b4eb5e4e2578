// UTF-8 well-formedness and U+FFFD substitution, against the Unicode Standard's own examples.
#include "tokenizer/unicode_class.hpp"
#include "tokenizer/utf8.hpp"

#include <gtest/gtest.h>

using namespace edge_rt::model;

namespace {
std::string replace_all(std::string bytes)
{
    return utf8::take_valid(bytes, true);
}
constexpr const char* kFffd = "\xEF\xBF\xBD";
} // namespace

// The Unicode Standard's example for "U+FFFD Substitution of Maximal Subparts" (section 3.9):
// 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d.
TEST(Utf8, MaximalSubpartsBecomeOneReplacementEach)
{
    const std::string r(kFffd);
    EXPECT_EQ(replace_all("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
              "a" + r + r + r + "b" + r + "c" + r + r + "d");
}

// Table 3-7's edges: overlongs (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF), values
// above U+10FFFF (F4 90.., F5..FF) are ill-formed from their first byte or second byte.
TEST(Utf8, IllFormedSequences)
{
    using Kind = utf8::Sequence::Kind;
    const auto kind_of = [](std::string_view s) { return utf8::classify(s, 0).kind; };
    EXPECT_EQ(kind_of("\xC0\xAF"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xC1\xBF"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xE0\x9F\x80"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xED\xA0\x80"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xF0\x8F\xBF\xBF"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xF4\x90\x80\x80"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xF5\x80\x80\x80"), Kind::Invalid);
    EXPECT_EQ(kind_of("\x80"), Kind::Invalid);
    EXPECT_EQ(kind_of("\xE0\xA0\x80"), Kind::Complete); // U+0800
    EXPECT_EQ(kind_of("\xED\x9F\xBF"), Kind::Complete); // U+D7FF
    EXPECT_EQ(kind_of("\xF4\x8F\xBF\xBF"), Kind::Complete); // U+10FFFF
    EXPECT_EQ(kind_of("\xF0\x9F\xA4"), Kind::Incomplete);
    EXPECT_EQ(utf8::decode("\xF4\x8F\xBF\xBF", 0, 4), U'\U0010FFFF');
    EXPECT_EQ(utf8::decode("\xE2\x96\x81", 0, 3), U'\u2581');
}

TEST(Utf8, TakeValidHoldsAnIncompleteTail)
{
    std::string bytes = "ok\xF0\x9F";
    EXPECT_EQ(utf8::take_valid(bytes, false), "ok");
    EXPECT_EQ(bytes, "\xF0\x9F");
    bytes += "\xA4\x96";
    EXPECT_EQ(utf8::take_valid(bytes, false), "\xF0\x9F\xA4\x96");
    EXPECT_TRUE(bytes.empty());
}

TEST(Utf8, AppendEncodesEveryLength)
{
    std::string s;
    for (const char32_t cp : {U'A', U'\u00E9', U'\u2581', U'\U0001F916'})
        utf8::append(s, cp);
    EXPECT_EQ(s, "A\xC3\xA9\xE2\x96\x81\xF0\x9F\xA4\x96");
}

// General categories known from the Unicode Character Database.
TEST(UnicodeClass, LettersNumbersAndWhitespace)
{
    for (const char32_t cp : {U'A', U'z', U'\u00E9', U'\u03A9', U'\u65E5', U'\u30FC' /* Lm */, U'\u01C5' /* Lt */})
        EXPECT_TRUE(unicode::is_letter(cp)) << std::hex << static_cast<unsigned>(cp);
    for (const char32_t cp : {U'0', U'9', U'\u0663' /* Nd */, U'\u216B' /* Nl */, U'\u00BD', U'\u00B2' /* No */,
                              U'\U0001D7CE' /* Nd */})
        EXPECT_TRUE(unicode::is_number(cp)) << std::hex << static_cast<unsigned>(cp);
    for (const char32_t cp : {U' ', U'_', U'\'', U'\u20AC', U'\U0001F916', U'\u2581', U'\u0301' /* Mn */})
        EXPECT_FALSE(unicode::is_letter(cp) || unicode::is_number(cp)) << std::hex << static_cast<unsigned>(cp);
    EXPECT_FALSE(unicode::is_letter(U'0'));
    EXPECT_FALSE(unicode::is_number(U'a'));
    for (const char32_t cp : {U' ', U'\t', U'\n', U'\r', U'\u00A0', U'\u2003', U'\u3000'})
        EXPECT_TRUE(unicode::is_whitespace(cp));
    for (const char32_t cp : {U'a', U'\u200B' /* zero width space: Cf, not White_Space */, U'\u2581'})
        EXPECT_FALSE(unicode::is_whitespace(cp));
    EXPECT_FALSE(unicode::table_version().empty());
}
