// gen-model --vocab-from with a byte-level vocabulary: the GGUF names the source's own
// pre-tokenizer (tokenizer.ggml.pre), so the written model cuts text as the source does.
#include "writer/vocab_source.hpp"

#include "env.hpp"
#include "temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace edge_rt::model {
namespace {

std::string pre_of(const VocabPlan& v)
{
    for (const auto& [key, value] : v.gguf_metadata)
        if (key == "tokenizer.ggml.pre")
            return *value.as_string();
    return "(none)";
}

TEST(VocabSource, Qwen2FolderWritesQwen2)
{
    const auto dir = std::filesystem::path(test::required_env("EDGE_RT_SHARED_MODELS")) / ".." / "tokenizers" / "qwen2";
    if (!std::filesystem::exists(dir / "vocab.json"))
        GTEST_SKIP() << dir << " is absent";
    EXPECT_EQ(pre_of(vocab_for_gguf(dir)), "qwen2"); // tokenizer_config.json: Qwen2Tokenizer
}

TEST(VocabSource, PlainGpt2PairWritesGpt2)
{
    test::TempDir dir;
    std::ofstream(dir.path() / "vocab.json") << R"({"a": 0, "b": 1, "ab": 2})";
    std::ofstream(dir.path() / "merges.txt") << "#version: 0.2\na b\n";
    EXPECT_EQ(pre_of(vocab_for_gguf(dir.path())), "gpt2");
}

} // namespace
} // namespace edge_rt::model
