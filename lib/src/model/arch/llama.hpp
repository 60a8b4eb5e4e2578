// Llama: RMSNorm, RoPE, grouped-query attention, SwiGLU feed-forward, tied or separate output.
#pragma once

#include "model/arch/architecture.hpp"

namespace edge_rt::model {

std::unique_ptr<Architecture> make_llama(const ModelConfig& config, const kernels::KernelTable& kernels);

} // namespace edge_rt::model
