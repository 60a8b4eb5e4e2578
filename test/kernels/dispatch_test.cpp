// Run-time kernel selection: the CPU probe agrees with an independent source, the variant a
// test run expects is present, names resolve and unknown names fail with a one-line error.
#include "edge_rt/error.hpp"
#include "kernels/cpu_features.hpp"
#include "kernels/dispatch.hpp"

#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>
#include <string>

using namespace edge_rt;

TEST(Dispatch, ScalarAlwaysAvailableAndFirst)
{
    const auto all = kernels::available_kernels();
    ASSERT_FALSE(all.empty());
    EXPECT_STREQ(all.front()->name, "scalar");
    EXPECT_EQ(&kernels::kernels_by_name("scalar"), &kernels::scalar_kernels());
}

TEST(Dispatch, UnknownVariantIsAConfigErrorNamingTheChoices)
{
    try {
        kernels::kernels_by_name("sve2");
        FAIL() << "no exception";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("sve2"), std::string::npos) << what;
        EXPECT_NE(what.find("scalar"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

#if defined(__x86_64__)
// libgcc's own cpuid/xgetbv probe is the independent reference on x86-64.
TEST(Dispatch, X86FeaturesAgreeWithCompilerProbe)
{
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    EXPECT_EQ(kernels::cpu_features().avx2_fma_f16c, avx2);
    EXPECT_EQ(kernels::cpu_features().avx512, avx512);
}
#endif

// EDGE_RT_EXPECT_KERNELS (set by the qemu test runs) lists variants that must be available,
// and EDGE_RT_EXPECT_NO_KERNELS ones that must not: proof that each CPU model takes its path.
TEST(Dispatch, ExpectedVariantsForThisCpu)
{
    const auto names = [](const char* var) {
        std::vector<std::string> out;
        const char* v = std::getenv(var);
        std::string s = v ? v : "";
        for (std::size_t at = 0; at < s.size();) {
            const auto comma = s.find(',', at);
            out.push_back(s.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            at = comma == std::string::npos ? s.size() : comma + 1;
        }
        return out;
    };
    for (const auto& n : names("EDGE_RT_EXPECT_KERNELS"))
        EXPECT_NO_THROW(kernels::kernels_by_name(n)) << n;
    for (const auto& n : names("EDGE_RT_EXPECT_NO_KERNELS"))
        EXPECT_THROW(kernels::kernels_by_name(n), ConfigError) << n;
}

TEST(Dispatch, EnvironmentVariableForcesAVariant)
{
    const char* saved = std::getenv("EDGE_RT_KERNELS");
    const std::string keep = saved ? saved : "";
    ::setenv("EDGE_RT_KERNELS", "scalar", 1);
    EXPECT_EQ(&kernels::best_kernels(), &kernels::scalar_kernels());
    ::setenv("EDGE_RT_KERNELS", "no-such-isa", 1);
    EXPECT_THROW(kernels::best_kernels(), ConfigError);
    ::unsetenv("EDGE_RT_KERNELS");
    EXPECT_EQ(&kernels::best_kernels(), kernels::available_kernels().back());
    if (saved)
        ::setenv("EDGE_RT_KERNELS", keep.c_str(), 1);
}
