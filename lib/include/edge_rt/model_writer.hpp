// Synthetic models: a well-known model's shapes (or fewer layers) filled with deterministic
// pseudo-random weights, written as a GGUF file or a SafeTensors folder — for benchmarks and
// tests at realistic sizes without downloading weights (`edge-rt-async gen-model`).
#pragma once

#include "edge_rt/export.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt {

struct SyntheticModelOptions {
    std::string preset;               ///< one of synthetic_model_presets()
    std::string weight_type = "f32";  ///< of matrices: "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl", "q2_k" .. "q6_k" (vectors stay f32)
    std::string format = "gguf";      ///< "gguf" (one file) or "safetensors" (a folder with config.json)
    std::optional<std::uint32_t> layers; ///< keep only the first N layers
    /// Copy the vocabulary of a GGUF model or of GPT-2 tokenizer files / folder.
    std::optional<std::filesystem::path> vocab_from;
    std::uint64_t seed = 0;           ///< same seed and options: same bytes
    std::filesystem::path output;     ///< the GGUF file or SafeTensors folder to write
};

/// What was written.
struct SyntheticModelInfo {
    std::string weight_type; ///< the matrices' type as GGUF names it ("Q8_0")
    std::uint32_t n_layer = 0, n_embd = 0, n_vocab = 0;
    std::size_t tensors = 0;
    std::uint64_t weight_bytes = 0;
    std::string vocabulary; ///< where the vocabulary came from, in a few words
};

/// "tinyllama-1.1b", "llama-7b", "stories15m", "stories110m", "gpt2-small", "gpt2-medium", …
EDGE_RT_API std::vector<std::string> synthetic_model_presets();

/// Writes the model row by row (constant memory), under a temporary name renamed when complete.
/// Throws ConfigError (unknown preset, type or format; 0 layers; quantised SafeTensors),
/// IoError or FormatError with one line naming the file; nothing is left at `output` on failure.
EDGE_RT_API SyntheticModelInfo write_synthetic_model(const SyntheticModelOptions& options);

} // namespace edge_rt
