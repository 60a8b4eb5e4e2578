// llama.cpp's tokenizer test vectors (ggml-vocab-X.gguf.inp / .out, in
// ../shared/tokenizers/llama.cpp-vocab-tests): the strings of each vocabulary and the ids the
// model's own Hugging Face tokenizer gives them (no BOS).
#pragma once

#include "tokenizer/tokenizer.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::test {

struct VocabVector {
    std::string text;
    std::vector<std::int32_t> ids;
};

/// ../shared/tokenizers (beside the shared models folder the tests are given).
std::filesystem::path shared_tokenizers();

/// The vectors of ggml-vocab-<vocab>.gguf.inp/.out; throws when the two files disagree.
std::vector<VocabVector> read_vocab_vectors(std::string_view vocab);

/// Checks every vector (encode, and decode back to the text when `round_trip`); returns how
/// many matched, and prints "<vocab>: matched N / M".
std::size_t expect_vocab_vectors(const model::Tokenizer& tokenizer, std::string_view vocab, bool round_trip);

} // namespace edge_rt::test

/// Skips the test when a shared tokenizer file or folder is missing.
#define SKIP_UNLESS_SHARED(path)                                                                   \
    do {                                                                                           \
        if (!std::filesystem::exists(path))                                                        \
            GTEST_SKIP() << (path).string() << " is absent (the shared tokenizer references)";     \
    } while (false)
