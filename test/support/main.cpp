// Test main: GoogleTest, after checking that a sanitizer test setup runs a sanitizer build.
#include "sanitizer_check.hpp"

#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    if (!edge_rt::test::sanitizer_expectation_met())
        return 1;
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
