// StreamingDecoder: characters split over byte tokens come out whole, never in pieces.
#include "tokenizer_test_support.hpp"

#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

// Pushes every id, checks each output is complete UTF-8, and returns them all.
std::vector<std::string> push_each(const model::Tokenizer& tok, const std::vector<std::int32_t>& ids)
{
    model::StreamingDecoder decoder(tok);
    std::vector<std::string> out;
    for (const auto id : ids) {
        out.push_back(decoder.push(id));
        EXPECT_TRUE(is_valid_utf8(out.back())) << "after id " << id;
    }
    out.push_back(decoder.flush());
    EXPECT_TRUE(is_valid_utf8(out.back())) << "flush";
    return out;
}

std::string joined(const std::vector<std::string>& parts)
{
    std::string s;
    for (const auto& p : parts)
        s += p;
    return s;
}

} // namespace

// "Edge AI 🤖 on 🍓 Pi" from the llama reference: both emoji are four byte-fallback tokens.
TEST(StreamingDecoder, HoldsSplitEmojiUntilComplete)
{
    const std::vector<std::int32_t> ids{1, 21086, 319, 29902, 29871, 243, 162, 167, 153, 373, 29871, 243, 162, 144, 150, 7362};
    const auto out = push_each(llama_spm(), ids);
    EXPECT_EQ(out[1], "Edge"); // the leading space of the first piece after BOS is dropped
    EXPECT_EQ(out[4], " ");    // "▁" before the emoji
    EXPECT_EQ(out[5], "");     // F0
    EXPECT_EQ(out[6], "");     // 9F
    EXPECT_EQ(out[7], "");     // A4
    EXPECT_EQ(out[8], "\xF0\x9F\xA4\x96");
    EXPECT_EQ(out.back(), "");
    EXPECT_EQ(joined(out), "Edge AI 🤖 on 🍓 Pi");
}

TEST(StreamingDecoder, EveryReferenceCaseStreamsToItsText)
{
    for (const auto& c : read_reference(tokenizer_data("llama-spm-vocab", "reference.json")))
        EXPECT_EQ(joined(push_each(llama_spm(), c.ids)), c.text);
    for (const auto& c : read_reference(tokenizer_data("gpt2-tokenizer", "reference.json")))
        EXPECT_EQ(joined(push_each(gpt2(), c.ids)), c.text);
}

// GPT-2 splits " 🤖" into three byte-level tokens (12520 = " \xF0\x9F", 97, 244): the space is
// complete and comes out at once, the emoji when its last byte arrives.
TEST(StreamingDecoder, Gpt2ByteLevelPiecesOfACharacter)
{
    const auto out = push_each(gpt2(), {37021, 9552, 12520, 97, 244, 319});
    EXPECT_EQ(out, (std::vector<std::string>{"Edge", " AI", " ", "", "\xF0\x9F\xA4\x96", " on", ""}));
}

// GPT-2 has no dummy prefix: a space after <|endoftext|> (its BOS) is real text.
TEST(StreamingDecoder, Gpt2KeepsTheSpaceAfterBos)
{
    EXPECT_EQ(model::decode(gpt2(), std::vector<std::int32_t>{50256, 3756, 2272}), " leading space");
}

TEST(StreamingDecoder, FlushReplacesAnIncompleteTail)
{
    model::StreamingDecoder decoder(llama_spm());
    EXPECT_EQ(decoder.push(3 + 0xF0), "");
    EXPECT_EQ(decoder.push(3 + 0x9F), "");
    EXPECT_EQ(decoder.flush(), "\xEF\xBF\xBD");
    EXPECT_EQ(decoder.flush(), ""); // nothing is held any more
}

// Bytes that can never become a character are replaced at once, not held back.
TEST(StreamingDecoder, InvalidBytesAreReplacedImmediately)
{
    model::StreamingDecoder decoder(llama_spm());
    EXPECT_EQ(decoder.push(3 + 0xFF), "\xEF\xBF\xBD");
    EXPECT_EQ(decoder.push(3 + 0xE2), "");
    // "▁a" (263) cannot continue E2: E2 alone becomes U+FFFD, then " a".
    EXPECT_EQ(decoder.push(263), "\xEF\xBF\xBD a");
    EXPECT_EQ(decoder.push(3 + 0xC3), "");
    EXPECT_EQ(decoder.push(3 + 0xA9), "\xC3\xA9"); // é
    EXPECT_EQ(decoder.flush(), "");
}

TEST(StreamingDecoder, OnlyTheFirstPieceAfterBosLosesItsSpace)
{
    // BOS "▁Hello" "▁world" BOS "▁Hello" EOS
    EXPECT_EQ(model::decode(llama_spm(), std::vector<std::int32_t>{1, 15043, 3186, 1, 15043, 2}), "Hello worldHello");
    EXPECT_EQ(model::decode(llama_spm(), std::vector<std::int32_t>{15043, 3186}), " Hello world");
}
