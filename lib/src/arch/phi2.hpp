// Phi-2: LayerNorm with bias, attention and MLP in parallel on the same normalised input,
// partial rotary (NEOX pairing), tanh GELU, biases on every projection and on the output.
#pragma once

#include "arch/architecture.hpp"

namespace edge_rt::model {

std::unique_ptr<Architecture> make_phi2(const ModelConfig& config, const kernels::KernelTable& kernels);

} // namespace edge_rt::model
