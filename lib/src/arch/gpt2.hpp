// GPT-2: learned positions, LayerNorm with bias, fused QKV, gelu_new, biases everywhere,
// tied lm_head.
#pragma once

#include "arch/architecture.hpp"

namespace edge_rt::model {

std::unique_ptr<Architecture> make_gpt2(const ModelConfig& config, const kernels::KernelTable& kernels);

} // namespace edge_rt::model
