// Synthetic models: a preset's shapes filled with deterministic pseudo-random weights, written
// as GGUF or as a SafeTensors folder (config.json + model.safetensors). Tensors are generated
// and written row by row, so a model larger than memory is written in constant memory. The
// output appears under its name only when complete (written to a temporary name, then renamed).
#pragma once

#include "core/dtype.hpp"
#include "model/model_config.hpp"
#include "model/model_source.hpp"
#include "writer/vocab_source.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::model {

struct SyntheticOptions {
    std::string preset;
    std::optional<ModelConfig> custom;        // instead of the preset (tests: reduced shapes)
    DType weight_type = DType::F32;           // of matrices; vectors stay F32
    FileFormat format = FileFormat::Gguf;
    std::optional<std::uint32_t> layers;      // cut the preset's layer count
    std::optional<std::filesystem::path> vocab_from;
    std::optional<std::uint32_t> vocab_size;  // shrink the made-up vocabulary (tests)
    std::uint64_t seed = 0;
    std::filesystem::path output;             // the GGUF file, or the SafeTensors folder
};

/// One tensor as it is written: GGML name and shape, the name in the file, its type.
struct SyntheticTensor {
    std::string gguf_name;
    std::string file_name;
    std::vector<std::uint64_t> shape; // GGML order
    std::uint32_t dtype = 0;
    bool conv1d = false;              // SafeTensors GPT-2: bytes are the transpose of `shape`
};

struct SyntheticPlan {
    ModelConfig config;
    std::vector<SyntheticTensor> tensors;
    VocabPlan vocab;
    std::uint64_t weight_bytes = 0;
};

/// "f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k"; ConfigError naming the value otherwise.
DType parse_weight_type(const std::string& name);
/// "gguf", "safetensors"; ConfigError naming the value otherwise.
FileFormat parse_file_format(const std::string& name);

/// The configuration and tensor list `options` asks for, without writing anything. Throws
/// ConfigError for impossible requests (unknown preset, 0 layers, quantised SafeTensors).
SyntheticPlan plan_synthetic_model(const SyntheticOptions& options);

/// Writes the model; returns its plan. Throws ConfigError / IoError / FormatError with one line
/// naming the file; nothing is left at `options.output` (nor at the temporary name) on failure.
SyntheticPlan write_synthetic_model(const SyntheticOptions& options);

} // namespace edge_rt::model
