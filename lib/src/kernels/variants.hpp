// The SIMD kernel tables, each defined in its ISA's folder. Call one only after cpu_features()
// says the CPU has its instructions (dispatch.cpp does).
#pragma once

#include "kernels/kernel_table.hpp"

namespace edge_rt::kernels {

#if defined(__x86_64__)
const KernelTable& avx2_kernels();   // x86/: AVX2 + FMA + F16C
const KernelTable& avx512_kernels(); // x86/: AVX-512 F/BW/VL
#elif defined(__aarch64__)
const KernelTable& neon_kernels();         // arm/: ASIMD (Cortex-A72, Pi 4)
const KernelTable& neon_dotprod_kernels(); // arm/: ASIMD + sdot (Cortex-A76, Pi 5)
#endif

} // namespace edge_rt::kernels
