// What the CPU (and the OS, for AVX register state) supports, probed once: cpuid and xgetbv on
// x86-64, getauxval(AT_HWCAP) on aarch64. Fields of the other architecture stay false.
#pragma once

namespace edge_rt::kernels {

struct CpuFeatures {
    bool avx2_fma_f16c = false; // with OS-enabled YMM state
    bool avx512 = false;        // F, BW, VL, VNNI with OS-enabled ZMM/opmask state
    bool neon = false;          // ASIMD: every aarch64 CPU
    bool dotprod = false;       // sdot/udot (Armv8.2 option, Cortex-A76)
    bool fp16 = false;          // half-precision arithmetic (FPHP and ASIMDHP)
};

const CpuFeatures& cpu_features();

} // namespace edge_rt::kernels
