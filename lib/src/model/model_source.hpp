// Opening a model: a GGUF file or a Hugging Face folder (config.json + SafeTensors). Reads
// headers only and validates them; the weights stay on disk until the I/O layer reads them.
#pragma once

#include "model/gguf.hpp"
#include "model/model_config.hpp"
#include "model/tensor_table.hpp"

#include <filesystem>
#include <optional>

namespace edge_rt::model {

enum class FileFormat { Gguf, Safetensors };

struct ModelSource {
    std::filesystem::path path; // what the user named
    FileFormat format = FileFormat::Gguf;
    ModelConfig config;
    TensorTable tensors;        // names normalised to GGUF naming (blk.N.attn_q.weight, …)
    std::optional<GgufFile> gguf; // the parsed header of a GGUF model (tokenizer metadata)
};

/// Detects the format, reads and validates headers and hyper-parameters. Throws FormatError
/// or IoError naming the file and the problem.
ModelSource open_model(const std::filesystem::path& path);

/// The GGUF part of open_model.
ModelSource open_gguf_model(const std::filesystem::path& path);

/// The SafeTensors part of open_model: `dir` holds config.json and model.safetensors
/// (or model.safetensors.index.json and its shards).
ModelSource open_safetensors_model(const std::filesystem::path& dir);

} // namespace edge_rt::model
