// Chat prompts as the server builds them: the model's template read from its file, the end of
// turn as one token, special tokens in the rendered text parsed to their ids. The ids asserted
// are Phi-3's published vocabulary: <s> 1, <|assistant|> 32001, <|end|> 32007, <|user|> 32010.
#include "serve/chat_prompt.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "tokenizer/tokenizer.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace edge_rt::serve {
namespace {

std::filesystem::path phi3_vocab()
{
    return test::shared_models() / ".." / "tokenizers" / "llama.cpp-vocab-tests" / "ggml-vocab-phi-3.gguf";
}

TEST(ServeChatPrompt, TheModelsTemplateAndItsEndOfTurnToken)
{
    const auto path = phi3_vocab();
    if (!std::filesystem::exists(path))
        GTEST_SKIP() << path << " is absent";
    const auto tok = model::load_tokenizer(path);
    const auto f = resolve_chat_format("", path.string(), tok.get(), tok->bos(), tok->eos());
    EXPECT_EQ(f.tmpl.kind, chat::TemplateKind::Phi3);
    EXPECT_EQ(f.end_of_turn, "<|end|>");
    ASSERT_TRUE(f.end_of_turn_id);
    EXPECT_EQ(*f.end_of_turn_id, 32007);

    const std::vector<chat::Message> messages{{"user", "Hello!"}};
    const auto ids = chat_prompt_ids(f, *tok, messages);
    ASSERT_GE(ids.size(), 5u);
    EXPECT_EQ(ids[0], 1);     // the template's own BOS, not a second one
    EXPECT_EQ(ids[1], 32010); // <|user|> as its control token, not spelled out
    EXPECT_NE(std::find(ids.begin(), ids.end(), 32007), ids.end());
    EXPECT_NE(std::find(ids.begin(), ids.end(), 32001), ids.end());
}

TEST(ServeChatPrompt, NamedTemplatesAndTheFallback)
{
    const auto chatml = resolve_chat_format("chatml", "", nullptr, std::nullopt, std::nullopt);
    EXPECT_EQ(chatml.tmpl.kind, chat::TemplateKind::ChatML);
    EXPECT_EQ(chatml.end_of_turn, "<|im_end|>");
    EXPECT_FALSE(chatml.end_of_turn_id); // no tokenizer: matched as a stop string instead
    EXPECT_THROW(resolve_chat_format("no-such-format", "", nullptr, std::nullopt, std::nullopt), ConfigError);
    // The bundled model has no template: chatml, and the log says why.
    const auto fallback = resolve_chat_format("", test::bundled_model().string(), nullptr, std::nullopt, std::nullopt);
    EXPECT_EQ(fallback.tmpl.kind, chat::TemplateKind::ChatML);
    EXPECT_NE(fallback.source.find("no chat template"), std::string::npos);
}

} // namespace
} // namespace edge_rt::serve
