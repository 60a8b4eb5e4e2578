// A ModelConfig as llama.cpp's GGUF architecture keys ({arch}.context_length, …), shared by
// gen-model and quantize (a Hugging Face folder's config.json becomes these keys).
#pragma once

#include "model/gguf.hpp"
#include "model/model_config.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edge_rt::model {

/// general.architecture for `c`: llama, qwen2, phi2 or gpt2 (HF's model_type "phi" is "phi2").
std::string gguf_arch_name(const ModelConfig& c);

/// The factor when c.rope_freq_factors is linear scaling (every factor equal); nullopt when
/// there is no scaling or it varies per pair (Llama 3: then a rope_freqs.weight tensor holds it).
std::optional<float> linear_rope_factor(const ModelConfig& c);

/// The {arch}.* keys the runtime (and llama.cpp) read for `c`: context, embedding and
/// feed-forward lengths, block count, head counts, vocabulary size, norm epsilon and, for the
/// rotary architectures, rope dimensions, base and linear scaling.
std::vector<std::pair<std::string, GgufValue>> gguf_hparams(const ModelConfig& c);

} // namespace edge_rt::model
