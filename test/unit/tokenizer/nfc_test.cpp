// NFC against values worked out by hand from UAX #15 and the Unicode Character Database, and
// Qwen2's tokenizer, which normalizes before it tokenizes: decomposed and composed text must
// give the same ids.
#include "tokenizer/nfc.hpp"

#include "env.hpp"
#include "tokenizer/tokenizer.hpp"

#include <gtest/gtest.h>

namespace edge_rt::model {
namespace {

using unicode::to_nfc;

TEST(Nfc, ComposesABaseAndItsMark)
{
    EXPECT_EQ(to_nfc("e\xCC\x81"), "\xC3\xA9");              // e + U+0301 -> U+00E9
    EXPECT_EQ(to_nfc("caf\xC3\xA9"), "caf\xC3\xA9");         // already NFC
    EXPECT_EQ(to_nfc("plain ASCII"), "plain ASCII");
}

TEST(Nfc, OrdersMarksByCombiningClassThenComposes)
{
    // e + U+0302 (class 230) + U+0323 (class 220): reordered to e U+0323 U+0302, then e+U+0323
    // = U+1EB9, and U+1EB9+U+0302 = U+1EC7.
    EXPECT_EQ(to_nfc("e\xCC\x82\xCC\xA3"), "\xE1\xBB\x87");
    EXPECT_EQ(to_nfc("\xE1\xBB\x87"), "\xE1\xBB\x87");
}

TEST(Nfc, ABlockedMarkStaysApart)
{
    // a + U+0301 + U+0301: the second acute is blocked by the first (same class).
    EXPECT_EQ(to_nfc("a\xCC\x81\xCC\x81"), "\xC3\xA1\xCC\x81");
}

TEST(Nfc, SingletonsAndExclusions)
{
    EXPECT_EQ(to_nfc("\xE2\x84\xAB"), "\xC3\x85");             // U+212B ANGSTROM SIGN -> U+00C5
    EXPECT_EQ(to_nfc("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC"); // U+0958 is excluded: U+0915 U+093C
    EXPECT_EQ(to_nfc("\xE0\xA4\x95\xE0\xA4\xBC"), "\xE0\xA4\x95\xE0\xA4\xBC");
}

TEST(Nfc, HangulIsArithmetic)
{
    // U+1100 U+1161 U+11A8 (L V T) -> U+AC01; the syllable stays.
    EXPECT_EQ(to_nfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");
    EXPECT_EQ(to_nfc("\xEA\xB0\x81"), "\xEA\xB0\x81");
}

TEST(Nfc, InvalidUtf8IsLeftAlone)
{
    EXPECT_EQ(to_nfc("e\xCC\x81\xFF"), "e\xCC\x81\xFF");
}

TEST(Nfc, Qwen2TokenizerNormalizesBeforeTokenizing)
{
    const auto dir = std::filesystem::path(test::required_env("EDGE_RT_SHARED_MODELS")) / ".." / "tokenizers" / "qwen2";
    if (!std::filesystem::exists(dir / "vocab.json"))
        GTEST_SKIP() << dir << " is absent";
    const auto tok = load_tokenizer(dir);
    EXPECT_EQ(tok->encode("caf" "e\xCC\x81 \xE2\x84\xAB", false), tok->encode("caf\xC3\xA9 \xC3\x85", false));
}

} // namespace
} // namespace edge_rt::model
