// Main of the io_uring tests: without io_uring there is nothing to test, so the binary says
// why and exits 77, which meson reports as SKIP (never as a pass).
#include "io/uring_probe.hpp"
#include "sanitizer_check.hpp"

#include <cstdio>
#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    if (!edge_rt::test::sanitizer_expectation_met())
        return 1;
    const auto support = edge_rt::io::probe_io_uring();
    if (!support.available) {
        std::printf("SKIP: io_uring is not available here: %s\n", support.reason.c_str());
        return 77;
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
