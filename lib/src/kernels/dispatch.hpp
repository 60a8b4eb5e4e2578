// Choosing a kernel table at run time: the fastest variant this CPU runs, or the one named by
// EDGE_RT_KERNELS (scalar, avx2, avx512, neon, neon-dotprod) so tests and benchmarks can compare.
#pragma once

#include "kernels/kernel_table.hpp"

#include <string_view>
#include <vector>

namespace edge_rt::kernels {

/// Every variant built for this architecture that this CPU can run, slowest (scalar) first.
std::vector<const KernelTable*> available_kernels();

/// The variant called `name`; throws ConfigError when it is unknown or this CPU lacks it.
const KernelTable& kernels_by_name(std::string_view name);

/// EDGE_RT_KERNELS's variant when the variable is set and not empty, else the last of
/// available_kernels(). Throws ConfigError for a variable naming an unusable variant.
const KernelTable& best_kernels();

} // namespace edge_rt::kernels
