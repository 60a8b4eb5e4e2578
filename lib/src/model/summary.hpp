// What a GGUF model is, in numbers: architecture, hyper-parameters and per-layer weight bytes.
// Behind edge_rt::summarize_gguf (`inspect`).
#pragma once

#include "edge_rt/inspect.hpp"
#include "model/gguf.hpp"

namespace edge_rt::model {

// The summary's types are public (edge_rt/inspect.hpp).
using LayerSummary = edge_rt::LayerSummary;
using ModelSummary = edge_rt::GgufSummary;

/// Summarises a parsed GGUF file; throws FormatError when general.architecture is missing.
ModelSummary summarize(const GgufFile& file);

} // namespace edge_rt::model
