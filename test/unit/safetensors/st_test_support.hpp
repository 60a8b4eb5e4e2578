// Helpers for the SafeTensors tests: the copied reference folders, small Hugging Face
// folders written on the fly, and a check that an error is one clear line naming a file.
#pragma once

#include "temp_dir.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace edge_rt::test {

/// test/data/<folder> (EDGE_RT_TEST_DATA).
std::filesystem::path test_data(const std::string& folder);

/// Writes `text` to `name` in `dir` and returns its path.
std::filesystem::path write_text(const TempDir& dir, const std::string& name, const std::string& text);

/// The message of the FormatError `fn` throws, checked to be one line naming `file`;
/// "no error" (which no expectation matches) when nothing is thrown.
std::string format_error(const std::function<void()>& fn, const std::filesystem::path& file);

/// Hyper-parameters of the synthetic Llama folders the tests write.
struct TinyLlama {
    std::uint32_t n_embd = 8, n_layer = 2, n_head = 2, n_head_kv = 1, n_ff = 12, n_vocab = 16, n_ctx = 32;
    std::string dtype = "F32"; // F32, F16 or BF16
    bool lm_head = true;
    bool model_prefix = true; // names spelt model.layers.N… as transformers saves them
};

/// The tensors of `m` in Hugging Face naming, PyTorch shapes, in the order transformers lists them.
std::vector<std::pair<std::string, std::vector<std::uint64_t>>> llama_tensors(const TinyLlama& m);

/// The config.json of `m`.
std::string llama_config_json(const TinyLlama& m);

/// Distinct, position-dependent bytes for tensor number `index` of `nbytes` bytes, so a
/// wrong offset reads visibly wrong data.
std::vector<std::uint8_t> pattern_bytes(std::size_t index, std::uint64_t nbytes);

} // namespace edge_rt::test
