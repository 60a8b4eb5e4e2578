// Quantising a model file: `edge-rt-async quantize IN OUT --type T` and the library call
// behind it (as llama.cpp's llama_model_quantize is public API). Reads an F32/F16/BF16 GGUF
// model, or a Hugging Face folder (config.json + SafeTensors + tokenizer files), tensor by
// tensor, a bounded chunk of rows at a time, quantises each weight matrix with llama.cpp's
// per-tensor recipe for the chosen type (docs/quantize.md), and writes a GGUF that runs with
// `run` on its own: a GGUF's metadata is copied; a folder's config.json and tokenizer become
// llama.cpp's metadata keys.
#pragma once

#include "edge_rt/export.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace edge_rt {

/// Where a quantisation is; passed to the progress callback after every chunk of rows.
struct QuantizeProgress {
    std::size_t tensor = 0;          ///< index of the tensor being written (0-based)
    std::size_t tensors = 0;         ///< how many the model has
    std::string name;                ///< its name
    std::uint64_t bytes_done = 0;    ///< source tensor bytes read so far
    std::uint64_t bytes_total = 0;   ///< source tensor bytes in all
};

struct QuantizeOptions {
    std::filesystem::path input;  ///< an F32/F16/BF16 GGUF model or Hugging Face model folder
    std::filesystem::path output; ///< the GGUF file to write (written under a temporary name, then renamed)
    std::string type;             ///< one of quantize_types()
    /// Called after each chunk of rows; return false to cancel (the output is then not created).
    std::function<bool(const QuantizeProgress&)> progress;
    std::size_t chunk_bytes = 4u << 20; ///< source bytes read at once (at least one row)
    unsigned threads = 0;         ///< rows of a chunk are quantised in parallel; 0: the CPUs we may use
};

/// One written tensor: its type and its error against the source.
struct QuantizedTensor {
    std::string name;
    std::string source_type; ///< "F32", "F16", "BF16"
    std::string type;        ///< what it was written as ("Q4_K", or the source type if kept)
    std::uint64_t elements = 0;
    double rmse = 0;         ///< sqrt(mean((decoded - source)^2)), 0 for a copied tensor
};

/// The error of all tensors written as one type.
struct QuantizeTypeSummary {
    std::string type;
    std::size_t tensors = 0;
    std::uint64_t elements = 0;
    double rmse = 0;         ///< over all their elements
    double relative = 0;     ///< RMSE / RMS of the source values
};

struct QuantizeResult {
    std::vector<QuantizedTensor> tensors;       ///< in file order
    std::vector<QuantizeTypeSummary> per_type;  ///< sorted by type name
    std::uint64_t input_bytes = 0, output_bytes = 0;
    std::size_t peak_buffer_bytes = 0;          ///< the largest chunk buffers held at once
    double seconds = 0;
};

/// The --type names: "q8_0", "q4_0", "q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k".
EDGE_RT_API std::vector<std::string> quantize_types();

/// The type each tensor of `input` would be written as under `type` (no data is read).
/// Throws like quantize_model.
EDGE_RT_API std::vector<std::pair<std::string, std::string>> quantize_plan(const std::filesystem::path& input,
                                                                          const std::string& type);

/// Quantises `options.input` into `options.output`. Throws ConfigError (unknown type),
/// FormatError (not GGUF nor a model folder, a weight matrix that is not F32/F16/BF16, malformed
/// file or config.json, unsupported tokenizer) or IoError
/// (unreadable input, unwritable output; cancelled), each one line naming the file; on any
/// failure nothing is left at the output path and no temporary file remains.
EDGE_RT_API QuantizeResult quantize_model(const QuantizeOptions& options);

} // namespace edge_rt
