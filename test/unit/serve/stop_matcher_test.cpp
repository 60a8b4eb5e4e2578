// Stop strings across token boundaries: what a client receives must be the generated text cut
// just before the first stop string, however the text was split into tokens.
#include "serve/stop_matcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edge_rt::serve {
namespace {

struct Outcome {
    std::string sent;
    bool stopped = false;
};

Outcome run(std::vector<std::string> stops, const std::vector<std::string>& pieces)
{
    StopMatcher m(std::move(stops));
    Outcome o;
    for (const auto& p : pieces) {
        auto step = m.feed(p);
        o.sent += step.emit;
        if (step.stopped) {
            o.stopped = true;
            break;
        }
    }
    if (!o.stopped)
        o.sent += m.finish();
    return o;
}

// The reference: the whole text cut before the earliest occurrence of any stop string.
Outcome reference(const std::vector<std::string>& stops, const std::string& text)
{
    std::size_t cut = std::string::npos;
    for (const auto& s : stops)
        if (!s.empty())
            cut = std::min(cut, text.find(s));
    return {text.substr(0, cut), cut != std::string::npos};
}

TEST(StopMatcher, AStopSplitAcrossTokensIsNeverSent)
{
    const auto o = run({"\n\nUser:"}, {"Hello", " there.", "\n", "\nUs", "er:", " more"});
    EXPECT_EQ(o.sent, "Hello there.");
    EXPECT_TRUE(o.stopped);
}

TEST(StopMatcher, HeldTextThatTurnsOutNotToBeAStopIsSent)
{
    StopMatcher m({"END"});
    auto a = m.feed("the EN");
    EXPECT_EQ(a.emit, "the ");   // "EN" could begin "END"
    auto b = m.feed("ough");
    EXPECT_EQ(b.emit, "ENough");
    EXPECT_FALSE(b.stopped);
    EXPECT_EQ(m.finish(), "");
}

TEST(StopMatcher, TheEarliestOfSeveralStopsWins)
{
    const auto o = run({"world", "lo w"}, {"hel", "lo wor", "ld"});
    EXPECT_EQ(o.sent, "hel");
    EXPECT_TRUE(o.stopped);
}

TEST(StopMatcher, NoStopsPassesEverythingThrough)
{
    StopMatcher m({"", ""});
    EXPECT_EQ(m.feed("abc").emit, "abc");
    EXPECT_EQ(m.finish(), "");
}

TEST(StopMatcher, UnfinishedPrefixIsFlushedAtTheEnd)
{
    const auto o = run({"###"}, {"a", "#", "#"});
    EXPECT_EQ(o.sent, "a##");
    EXPECT_FALSE(o.stopped);
}

// Every way of splitting some texts into pieces gives the reference cut.
TEST(StopMatcher, AnySplitGivesTheReferenceCut)
{
    const std::vector<std::string> stops{"ab", "aab", "cab", "b\n"};
    for (std::string text : {"xaaab", "cacab", "aaaa", "xb\ny", "abab", "ccca"}) {
        const auto want = reference(stops, text);
        for (unsigned mask = 0; mask < (1u << (text.size() - 1)); ++mask) {
            std::vector<std::string> pieces{std::string(1, text[0])};
            for (std::size_t i = 1; i < text.size(); ++i) {
                if (mask & (1u << (i - 1)))
                    pieces.emplace_back();
                pieces.back() += text[i];
            }
            const auto got = run(stops, pieces);
            EXPECT_EQ(got.sent, want.sent) << text << " mask " << mask;
            EXPECT_EQ(got.stopped, want.stopped) << text << " mask " << mask;
        }
    }
}

} // namespace
} // namespace edge_rt::serve
