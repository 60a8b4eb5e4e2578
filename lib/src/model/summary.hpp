// What a GGUF model is, in numbers: architecture, hyper-parameters and per-layer weight bytes.
// Shared by `inspect` and, later, the planner's view of a model.
#pragma once

#include "model/gguf.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::model {

struct LayerSummary {
    std::string name;        // "blk.3", or "embeddings" / "output" for the tensors outside blocks
    std::uint64_t bytes = 0;
    std::uint64_t tensors = 0;
    std::map<std::string, std::uint64_t> bytes_by_type; // "F32" -> bytes
};

struct ModelSummary {
    std::string architecture;
    std::string name;
    std::optional<std::uint64_t> context_length, embedding_length, block_count,
        feed_forward_length, head_count, head_count_kv, vocab_size;
    std::optional<double> rope_freq_base, norm_eps;
    std::uint64_t tensor_count = 0;
    std::uint64_t weight_bytes = 0;
    std::uint64_t header_bytes = 0;
    std::vector<LayerSummary> layers; // embeddings, blk.0 … blk.N-1, output
    std::map<std::string, std::uint64_t> bytes_by_type;

    /// K and V cache bytes per token of context at F32, when the hyper-parameters are known.
    std::optional<std::uint64_t> kv_bytes_per_token() const;
};

/// Summarises a parsed GGUF file; throws FormatError when general.architecture is missing.
ModelSummary summarize(const GgufFile& file);

} // namespace edge_rt::model
