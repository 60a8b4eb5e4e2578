// Response bodies in the shapes OpenAI documents (checked field by field) and SSE framing.
#include "serve/completion_response.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace edge_rt::serve {
namespace {

using json = nlohmann::json;

const ResponseHead kChat{true, "chatcmpl-1", 1700000000, "stories"};
const ResponseHead kText{false, "cmpl-1", 1700000000, "stories"};

TEST(CompletionResponse, ChatCompletion)
{
    const auto j = json::parse(completion_body(kChat, "Hello.", FinishReason::Length, {5, 3}));
    EXPECT_EQ(j["object"], "chat.completion");
    EXPECT_EQ(j["id"], "chatcmpl-1");
    EXPECT_EQ(j["created"], 1700000000);
    EXPECT_EQ(j["model"], "stories");
    ASSERT_EQ(j["choices"].size(), 1u);
    EXPECT_EQ(j["choices"][0]["index"], 0);
    EXPECT_EQ(j["choices"][0]["message"], (json{{"role", "assistant"}, {"content", "Hello."}}));
    EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
    EXPECT_EQ(j["usage"], (json{{"prompt_tokens", 5}, {"completion_tokens", 3}, {"total_tokens", 8}}));
}

TEST(CompletionResponse, TextCompletion)
{
    const auto j = json::parse(completion_body(kText, "a story", FinishReason::Stop, {2, 2}));
    EXPECT_EQ(j["object"], "text_completion");
    EXPECT_EQ(j["choices"][0]["text"], "a story");
    EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
    EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
}

TEST(CompletionResponse, ChatChunks)
{
    auto first = json::parse(chunk_body(kChat, "Hel", std::nullopt, true, false));
    EXPECT_EQ(first["object"], "chat.completion.chunk");
    EXPECT_EQ(first["choices"][0]["delta"], (json{{"role", "assistant"}, {"content", "Hel"}}));
    EXPECT_TRUE(first["choices"][0]["finish_reason"].is_null());
    EXPECT_FALSE(first.contains("usage"));
    auto last = json::parse(chunk_body(kChat, "", FinishReason::Stop, false, true));
    EXPECT_EQ(last["choices"][0]["delta"], json::object());
    EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
    EXPECT_TRUE(last["usage"].is_null());
    auto usage = json::parse(usage_chunk_body(kChat, {4, 1}));
    EXPECT_EQ(usage["choices"], json::array());
    EXPECT_EQ(usage["usage"]["total_tokens"], 5);
}

TEST(CompletionResponse, InvalidUtf8IsReplacedNotThrown)
{
    const auto j = json::parse(chunk_body(kText, "a\xff", std::nullopt, true, false));
    EXPECT_EQ(j["choices"][0]["text"], "a\xEF\xBF\xBD");
}

TEST(CompletionResponse, ModelsAndSse)
{
    const auto j = json::parse(models_body("stories260K", 1));
    EXPECT_EQ(j["object"], "list");
    EXPECT_EQ(j["data"][0]["id"], "stories260K");
    EXPECT_EQ(j["data"][0]["object"], "model");
    EXPECT_EQ(sse_event("{}"), "data: {}\n\n");
    EXPECT_EQ(kSseDone, "data: [DONE]\n\n");
}

} // namespace
} // namespace edge_rt::serve
