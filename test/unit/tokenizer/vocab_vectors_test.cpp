// Every llama.cpp test vector of every vocabulary supported, through each file format that
// carries it: GGUF where the vocab GGUF is shipped, and Llama 3's tiktoken file and Qwen2's
// vocab.json + merges.txt for the vocabularies whose GGUF is too large to keep.
#include "vocab_vectors.hpp"

#include <gtest/gtest.h>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

void expect_gguf_vectors(std::string_view vocab, bool round_trip)
{
    const auto path = shared_tokenizers() / "llama.cpp-vocab-tests" / ("ggml-vocab-" + std::string(vocab) + ".gguf");
    SKIP_UNLESS_SHARED(path);
    const auto tokenizer = model::load_tokenizer(path);
    expect_vocab_vectors(*tokenizer, vocab, round_trip);
}

} // namespace

TEST(VocabVectors, Gpt2Gguf) { expect_gguf_vectors("gpt-2", true); }

TEST(VocabVectors, StarcoderGguf) { expect_gguf_vectors("starcoder", true); }

TEST(VocabVectors, DeepseekLlmGguf) { expect_gguf_vectors("deepseek-llm", true); }

TEST(VocabVectors, LlamaSpmGguf) { expect_gguf_vectors("llama-spm", false); }

TEST(VocabVectors, Phi3Gguf) { expect_gguf_vectors("phi-3", false); }

TEST(VocabVectors, LlamaBpeFromTiktoken)
{
    const auto path = shared_tokenizers() / "llama3" / "tokenizer.model";
    SKIP_UNLESS_SHARED(path);
    expect_vocab_vectors(*model::load_tokenizer(path), "llama-bpe", true);
}

TEST(VocabVectors, Qwen2FromVocabAndMerges)
{
    const auto dir = shared_tokenizers() / "qwen2";
    SKIP_UNLESS_SHARED(dir / "vocab.json");
    const auto tokenizer = model::load_tokenizer(dir);
    expect_vocab_vectors(*tokenizer, "qwen2", true);
    expect_vocab_vectors(*tokenizer, "deepseek-r1-qwen", true);
}
