// Where a model's chat template text comes from: GGUF tokenizer.chat_template, or chat_template
// in a Hugging Face folder's tokenizer_config.json (a string, or a list with a "default" entry).
#include "api/chat_source.hpp"

#include "edge_rt/error.hpp"
#include "env.hpp"
#include "model/gguf.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace edge_rt::api {
namespace {

std::filesystem::path shared_tokenizers()
{
    return std::filesystem::path(test::required_env("EDGE_RT_SHARED_MODELS")) / ".." / "tokenizers";
}

void write(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

TEST(TemplateSource, GgufKey)
{
    const auto path = shared_tokenizers() / "llama.cpp-vocab-tests" / "ggml-vocab-phi-3.gguf";
    if (!std::filesystem::exists(path))
        GTEST_SKIP() << path << " is absent";
    const std::optional<model::GgufFile> gguf = model::read_gguf(path);
    const auto t = model_template_text(gguf, path);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->source, "tokenizer.chat_template");
    EXPECT_NE(t->text.find("<|assistant|>"), std::string::npos);
}

TEST(TemplateSource, TokenizerConfigBesideAHuggingFaceModel)
{
    const auto dir = shared_tokenizers() / "qwen2";
    if (!std::filesystem::exists(dir / "tokenizer_config.json"))
        GTEST_SKIP() << dir << " is absent";
    const auto t = model_template_text(std::nullopt, dir);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->source, (dir / "tokenizer_config.json").string());
    EXPECT_TRUE(t->text.starts_with("{% set system_message = 'You are a helpful assistant.' %}")) << t->text;
    // A .safetensors file names its folder.
    EXPECT_EQ(model_template_text(std::nullopt, dir / "model.safetensors")->text, t->text);
}

TEST(TemplateSource, ListOfNamedTemplatesTakesTheDefault)
{
    test::TempDir dir;
    write(dir.path() / "tokenizer_config.json",
          R"({"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]})");
    EXPECT_EQ(model_template_text(std::nullopt, dir.path())->text, "D");
}

TEST(TemplateSource, NoneIsNullopt)
{
    test::TempDir dir;
    EXPECT_FALSE(model_template_text(std::nullopt, dir.path())); // no tokenizer_config.json
    write(dir.path() / "tokenizer_config.json", R"({"bos_token": "<s>"})");
    EXPECT_FALSE(model_template_text(std::nullopt, dir.path()));
    EXPECT_FALSE(model_template_text(model::GgufFile{}, dir.path())); // a GGUF without the key
}

TEST(TemplateSource, BadConfigNamesTheFile)
{
    test::TempDir dir;
    const auto path = dir.path() / "tokenizer_config.json";
    write(path, "{not json");
    try {
        (void)model_template_text(std::nullopt, dir.path());
        ADD_FAILURE() << "no error";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find(path.string() + ": not valid JSON"), std::string::npos) << e.what();
    }
    write(path, R"({"chat_template": 42})");
    EXPECT_THROW((void)model_template_text(std::nullopt, dir.path()), FormatError);
}

} // namespace
} // namespace edge_rt::api
