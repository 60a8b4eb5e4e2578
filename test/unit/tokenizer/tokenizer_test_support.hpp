// Shared pieces of the tokenizer tests: reference data, a UTF-8 checker written independently of
// the library's, and the tokenizers most tests use (loaded once per test binary).
#pragma once

#include "tokenizer/tokenizer.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::test {

/// $EDGE_RT_TEST_DATA/<folder>/<file>.
std::filesystem::path tokenizer_data(std::string_view folder, std::string_view file = {});

struct ReferenceCase {
    std::string text;
    std::vector<std::int32_t> ids;
};

/// The {text, ids} list of a reference.json.
std::vector<ReferenceCase> read_reference(const std::filesystem::path& path);

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates, or values above U+10FFFF) and
/// does not end inside a character.
bool is_valid_utf8(std::string_view s);

/// The 32,000-token Llama vocabulary (vocab-only GGUF) and GPT-2's encoder.json + vocab.bpe.
const model::Tokenizer& llama_spm();
const model::Tokenizer& gpt2();

/// The ids as "[1, 2, 3]", for failure messages.
std::string show(const std::vector<std::int32_t>& ids);

/// A GGUF metadata array of f32 and a bool, as GgufBuilder's raw payloads.
std::vector<std::uint8_t> f32_array_payload(const std::vector<float>& values);

} // namespace edge_rt::test
