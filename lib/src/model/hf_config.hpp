// A Hugging Face config.json turned into the runtime's ModelConfig (model_type "gpt2",
// "llama", "qwen2" or "phi"), with every key the architecture depends on checked.
#pragma once

#include "model/model_config.hpp"

#include <filesystem>

namespace edge_rt::model {

struct HfConfig {
    ModelConfig config; // tied_output is decided later, from the tensors present
    /// tie_word_embeddings: when false the folder must hold lm_head.weight.
    bool tie_word_embeddings = false;
};

/// Reads `path` (a config.json). Throws FormatError "<path>: …" naming the offending key for
/// a missing file, bad JSON, an unknown model_type, or a missing, mistyped or unsupported key.
HfConfig read_hf_config(const std::filesystem::path& path);

} // namespace edge_rt::model
