// Main of the timing tests: wall-clock ratios mean nothing under an emulator (qemu-user in a
// cross build) or ThreadSanitizer (which slows every memory access many times over), so there
// the binary says why and exits 77 (meson: SKIP, never a pass).
#include "sanitizer_check.hpp"

#include <cstdio>
#include <gtest/gtest.h>

int main(int argc, char** argv)
{
#ifdef EDGE_RT_CROSS_TEST
    std::printf("SKIP: cross build run under an emulator: timing is meaningless here\n");
    (void)argc;
    (void)argv;
    return 77;
#elif defined(__SANITIZE_THREAD__)
    std::printf("SKIP: ThreadSanitizer build: its instrumentation makes compute times meaningless\n");
    (void)argc;
    (void)argv;
    return 77;
#else
    if (!edge_rt::test::sanitizer_expectation_met())
        return 1;
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
#endif
}
