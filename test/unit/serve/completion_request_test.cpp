// Request bodies: every field's type and range, unknown fields, and the error's JSON shape
// (the shape OpenAI's clients parse into typed errors).
#include "serve/api_error.hpp"
#include "serve/completion_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace edge_rt::serve {
namespace {

// The 400's param and message for `body`, or "accepted".
std::pair<std::string, std::string> refusal(const std::string& body, bool chat = true)
{
    try {
        chat ? parse_chat_request(body) : parse_completion_request(body);
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status(), 400) << e.what();
        EXPECT_EQ(e.type(), "invalid_request_error");
        return {e.param(), e.what()};
    }
    return {"accepted", ""};
}

TEST(CompletionRequest, AFullChatRequest)
{
    const auto r = parse_chat_request(R"({"model": "m", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
        {"role": "assistant", "content": "Hello."},
        {"role": "developer", "content": "Rules."}],
        "max_tokens": 32, "temperature": 0, "top_p": 0.9, "seed": 7, "stop": ["\n\n", "User:"], "n": 1,
        "stream": true, "stream_options": {"include_usage": true}, "presence_penalty": 0, "user": "u1"})");
    EXPECT_TRUE(r.chat);
    EXPECT_EQ(r.model, "m");
    ASSERT_EQ(r.messages.size(), 4u);
    EXPECT_EQ(r.messages[1].content, "Hi there");
    EXPECT_EQ(r.messages[3].role, "system");
    EXPECT_EQ(r.max_tokens, 32u);
    EXPECT_EQ(r.temperature, 0.0);
    EXPECT_DOUBLE_EQ(r.top_p, 0.9);
    EXPECT_EQ(r.seed, 7u);
    EXPECT_EQ(r.stop, (std::vector<std::string>{"\n\n", "User:"}));
    EXPECT_TRUE(r.stream);
    EXPECT_TRUE(r.include_usage);
}

TEST(CompletionRequest, CompletionDefaultsAndPromptForms)
{
    const auto r = parse_completion_request(R"({"model": "m", "prompt": "Once upon a time"})");
    EXPECT_FALSE(r.chat);
    EXPECT_EQ(r.prompt, "Once upon a time");
    EXPECT_EQ(r.max_tokens, 16u); // OpenAI's default for completions
    EXPECT_EQ(r.temperature, 1.0);
    EXPECT_FALSE(r.stream);
    EXPECT_EQ(parse_completion_request(R"({"prompt": ["one"], "stop": "x"})").stop, std::vector<std::string>{"x"});
    EXPECT_FALSE(parse_chat_request(R"({"messages": [{"role": "user", "content": "x"}]})").max_tokens);
}

TEST(CompletionRequest, WrongTypesAndRangesNameTheField)
{
    EXPECT_EQ(refusal(R"({"messages": "hi"})").first, "messages");
    EXPECT_EQ(refusal(R"({"messages": []})").first, "messages");
    EXPECT_EQ(refusal(R"({"messages": [{"role": "robot", "content": "x"}]})").first, "messages[0].role");
    EXPECT_EQ(refusal(R"({"messages": [{"role": "user"}]})").first, "messages[0].content");
    EXPECT_EQ(refusal(R"({"messages": [{"role": "user", "content": 5}]})").first, "messages[0].content");
    EXPECT_EQ(refusal(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})").first,
              "messages[0].content");
    EXPECT_EQ(refusal(R"({"messages": [{"role": "user", "content": "x", "tool_calls": []}]})").first,
              "messages[0].tool_calls");
    const std::string ok = R"("messages": [{"role": "user", "content": "x"}])";
    EXPECT_EQ(refusal("{" + ok + R"(, "max_tokens": 0})").first, "max_tokens");
    EXPECT_EQ(refusal("{" + ok + R"(, "max_tokens": "8"})").first, "max_tokens");
    EXPECT_EQ(refusal("{" + ok + R"(, "max_tokens": 1.5})").first, "max_tokens");
    EXPECT_EQ(refusal("{" + ok + R"(, "temperature": 2.5})").first, "temperature");
    EXPECT_EQ(refusal("{" + ok + R"(, "top_p": -0.1})").first, "top_p");
    EXPECT_EQ(refusal("{" + ok + R"(, "n": 2})").first, "n");
    EXPECT_EQ(refusal("{" + ok + R"(, "stop": ["a","b","c","d","e"]})").first, "stop");
    EXPECT_EQ(refusal("{" + ok + R"(, "stop": [1]})").first, "stop");
    EXPECT_EQ(refusal("{" + ok + R"(, "stream": "yes"})").first, "stream");
    EXPECT_EQ(refusal("{" + ok + R"(, "stream_options": {"include_usage": true}})").first, "stream_options");
    EXPECT_EQ(refusal("{" + ok + R"(, "stream": true, "stream_options": {"x": 1}})").first, "stream_options.x");
    EXPECT_EQ(refusal("{" + ok + R"(, "frequency_penalty": 0.5})").first, "frequency_penalty");
    EXPECT_EQ(refusal("{" + ok + R"(, "seed": -1})").first, "seed");
    EXPECT_EQ(refusal("{" + ok + "}").first, "accepted");
}

TEST(CompletionRequest, UnknownFieldsAndMissingRequiredOnes)
{
    const auto [param, message] = refusal(R"({"messages": [{"role": "user", "content": "x"}], "tools": []})");
    EXPECT_EQ(param, "tools");
    EXPECT_EQ(message, "unknown field 'tools'");
    EXPECT_EQ(refusal(R"({"model": "m"})").first, "messages");
    EXPECT_EQ(refusal(R"({"model": "m"})", false).first, "prompt");
    EXPECT_EQ(refusal(R"({"prompt": "x", "echo": true})", false).first, "echo");
    EXPECT_EQ(refusal(R"({"prompt": "x", "messages": []})", false).first, "messages");
    EXPECT_EQ(refusal(R"({"prompt": ["a", "b"]})", false).first, "prompt");
}

TEST(CompletionRequest, MalformedJsonGivesTheErrorShapeClientsParse)
{
    try {
        parse_chat_request(R"({"messages": [)");
        FAIL() << "malformed JSON was accepted";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status(), 400);
        const auto body = nlohmann::json::parse(e.body());
        ASSERT_TRUE(body.contains("error"));
        EXPECT_EQ(body["error"]["type"], "invalid_request_error");
        EXPECT_EQ(body["error"]["code"], "invalid_json");
        EXPECT_TRUE(body["error"]["param"].is_null());
        EXPECT_TRUE(body["error"]["message"].get<std::string>().starts_with("malformed JSON body"));
    }
    EXPECT_EQ(refusal("[1, 2]").first, "");
    // A number too large for a double (found by fuzz_completion_request): a 400, not an escape.
    for (const bool chat : {false, true}) {
        try {
            chat ? (void)parse_chat_request(R"({"max_tokens": 21e308})")
                 : (void)parse_completion_request(R"({"prompt": "x", "max_tokens": 21e308})");
            FAIL() << "an overflowing number was accepted";
        } catch (const ApiError& e) {
            EXPECT_EQ(e.status(), 400);
        }
    }
}

} // namespace
} // namespace edge_rt::serve
