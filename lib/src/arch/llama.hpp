// Llama: RMSNorm, RoPE (optionally scaled), grouped-query attention, SwiGLU feed-forward, tied
// or separate output. Qwen2 is the same with q/k/v biases and RoPE on head halves.
#pragma once

#include "arch/architecture.hpp"

namespace edge_rt::model {

std::unique_ptr<Architecture> make_llama(const ModelConfig& config, const kernels::KernelTable& kernels);

} // namespace edge_rt::model
