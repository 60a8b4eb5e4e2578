#include "kernels/cpu_features.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace edge_rt::kernels {
namespace {

#if defined(__x86_64__)
unsigned long long xgetbv0()
{
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<unsigned long long>(hi) << 32) | lo;
}

CpuFeatures probe()
{
    CpuFeatures f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return f;
    const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28), f16c = c & (1u << 29);
    if (!osxsave || !avx)
        return f;
    const auto xcr0 = xgetbv0();
    const bool ymm_state = (xcr0 & 0x6) == 0x6;    // SSE and AVX state saved by the OS
    const bool zmm_state = (xcr0 & 0xe6) == 0xe6;  // plus opmask and both ZMM halves
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return f;
    const bool avx2 = b & (1u << 5), avx512f = b & (1u << 16), avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
    const bool vnni = c & (1u << 11);
    f.avx2_fma_f16c = ymm_state && avx2 && fma && f16c;
    f.avx512 = f.avx2_fma_f16c && zmm_state && avx512f && avx512bw && avx512vl && vnni;
    return f;
}
#elif defined(__aarch64__)
CpuFeatures probe()
{
    CpuFeatures f;
    const unsigned long hw = getauxval(AT_HWCAP);
    f.neon = (hw & HWCAP_ASIMD) != 0;
    f.dotprod = f.neon && (hw & HWCAP_ASIMDDP) != 0;
    f.fp16 = f.neon && (hw & HWCAP_FPHP) != 0 && (hw & HWCAP_ASIMDHP) != 0;
    return f;
}
#else
CpuFeatures probe() { return {}; }
#endif

} // namespace

const CpuFeatures& cpu_features()
{
    static const CpuFeatures features = probe();
    return features;
}

} // namespace edge_rt::kernels
