// `edge-rt-async chat` through piped stdin: replies, the KV cache keeping the history (a turn
// prefills only its new tokens: counted independently with `tokenize` on the text the chat
// format adds, written here by hand from ChatML's definition), /reset, /exit, Ctrl-C ending a
// reply but not the chat, and the template errors.
#include "env.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <csignal>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>

using namespace edge_rt::test;
using ::testing::HasSubstr;

namespace {

struct TurnLine {
    std::size_t prefill = 0, fresh = 0, carried = 0, generated = 0;
};

// The -v line of every reply: "[prefill P tokens (N new, C carried over) … generated G tokens".
std::vector<TurnLine> turn_lines(const std::string& err)
{
    static const std::regex line(
        R"(\[prefill ([0-9]+) tokens \(([0-9]+) new, ([0-9]+) carried over\)[^\n]*generated ([0-9]+) tokens)");
    std::vector<TurnLine> out;
    for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator(); ++it)
        out.push_back({std::stoul((*it)[1]), std::stoul((*it)[2]), std::stoul((*it)[3]), std::stoul((*it)[4])});
    return out;
}

// Token count of `text` (no BOS) with the model's tokenizer, from the tokenize command.
std::size_t token_count(const std::string& model, const std::string& text)
{
    const auto r = run_cli({"tokenize", "-m", model, "--no-bos", "--json", "-f", "-"}, text);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out).at("ids").size();
}

std::vector<std::string> chat_args(const std::string& model, std::size_t n)
{
    return {"chat", model, "--chat-template", "chatml", "--temp", "0", "-n", std::to_string(n), "-v", "--no-monitor"};
}

// Two messages: the second turn prefills exactly what ChatML adds after the first reply
// (which 12 tokens cut short, so the turn first closes it with <|im_end|>) plus the one token
// the first turn sampled last and never ran.
void expect_second_turn_prefills_only_new_tokens(const std::string& model)
{
    const auto r = run_cli(chat_args(model, 12), "Hello there\nWhat is your name?\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto turns = turn_lines(r.err);
    ASSERT_EQ(turns.size(), 2u) << r.err;
    EXPECT_EQ(turns[0].carried, 0u);
    EXPECT_EQ(turns[0].fresh, token_count(model, "<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n") + 1)
        << "BOS, then the first rendering";
    EXPECT_EQ(turns[0].generated, 12u);
    EXPECT_EQ(turns[1].carried, 1u);
    EXPECT_EQ(turns[1].fresh,
              token_count(model, "<|im_end|>\n<|im_start|>user\nWhat is your name?<|im_end|>\n<|im_start|>assistant\n"));
    EXPECT_EQ(turns[1].prefill, turns[1].fresh + 1);
    EXPECT_THAT(r.err, HasSubstr("context " + std::to_string(turns[0].fresh + 12 + turns[1].fresh + 12) + "/"));
    // Two replies, one line each at least.
    EXPECT_GE(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
}

} // namespace

TEST(ChatCli, BundledModelKeepsTheHistoryInTheCache)
{
    expect_second_turn_prefills_only_new_tokens(bundled_model().string());
}

TEST(ChatCli, Qwen2ModelKeepsTheHistoryInTheCache)
{
    const auto model = shared_models() / "arch" / "qwen2-w256.gguf";
    if (!std::filesystem::exists(model))
        GTEST_SKIP() << model << " is absent (the shared architecture references)";
    expect_second_turn_prefills_only_new_tokens(model.string());
}

TEST(ChatCli, ResetStartsOverAndExitEnds)
{
    const auto model = bundled_model().string();
    const auto r = run_cli(chat_args(model, 8), "Hello\n/reset\nHello\n/exit\nNot read\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("[the conversation was reset]"));
    const auto turns = turn_lines(r.err);
    ASSERT_EQ(turns.size(), 2u) << r.err; // nothing after /exit
    EXPECT_EQ(turns[1].carried, 0u);
    EXPECT_EQ(turns[1].fresh, turns[0].fresh);
    // Greedy: after /reset the same message gets the same reply.
    const auto first = r.out.substr(0, r.out.find('\n'));
    EXPECT_FALSE(first.empty());
    EXPECT_EQ(r.out, first + "\n" + first + "\n");
}

TEST(ChatCli, UnknownCommandIsSaidAndIgnored)
{
    const auto r = run_cli(chat_args(bundled_model().string(), 4), "/frobnicate\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("unknown command /frobnicate"));
    EXPECT_TRUE(turn_lines(r.err).empty());
}

TEST(ChatCli, TemplateErrorsNameTheTemplate)
{
    const auto model = bundled_model().string();
    auto r = run_cli({"chat", model, "--chat-template", "nope", "--no-monitor"}, "Hi\n");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr("chat template 'nope' is unknown (known: llama2, llama3, chatml"));
    r = run_cli({"chat", model, "--no-monitor"}, "Hi\n"); // stories260K has no template
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr("has no chat template"));
    EXPECT_THAT(r.err, HasSubstr("choose one by name"));
}

TEST(ChatCli, ContextFullDropsTheOldestExchange)
{
    // 64 tokens: the third message no longer fits after two exchanges.
    auto args = chat_args(bundled_model().string(), 10);
    args.insert(args.end(), {"--ctx-size", "64"});
    const auto r = run_cli(args, "Hello there\nWhat is your name?\nTell me a story\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("[the context is full: dropping the oldest exchanges"));
    const auto turns = turn_lines(r.err);
    ASSERT_EQ(turns.size(), 3u) << r.err;
    EXPECT_EQ(turns[2].carried, 0u); // re-read from an empty cache
}

// Ctrl-C during a reply ends that reply; the chat goes on to the next message.
TEST(ChatCli, InterruptEndsTheReplyNotTheChat)
{
    TempDir dir;
    const auto model = (dir.path() / "s15.gguf").string();
    const auto g = run_cli({"gen-model", "--preset", "stories15m", "--layers", "2", "--type", "q8_0", "-o", model});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    auto args = chat_args(model, 60);
    args.insert(args.end(), {"--ctx-size", "512"});
    // The synthetic vocabulary's pieces are "t<id>": three on stdout and the first reply is under way.
    const auto r = run_cli_signalled(args, SIGINT, [](const ProcessResult& so_far) {
        return std::count(so_far.out.begin(), so_far.out.end(), 't') >= 3;
    }, "first\nsecond\n");
    EXPECT_EQ(r.killed_by, 0) << "the signal killed the chat";
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("[interrupted after"));
    const auto turns = turn_lines(r.err);
    ASSERT_EQ(turns.size(), 2u) << r.err; // the second message still got its reply
    EXPECT_LT(turns[0].generated, 60u);
    EXPECT_GT(turns[1].generated, 0u);
}
