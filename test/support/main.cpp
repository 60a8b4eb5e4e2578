// Test main: GoogleTest, after checking that a sanitizer test setup (meson test --setup asan
// or tsan) runs a build that really has that sanitizer; otherwise "clean" would mean nothing.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>

namespace {

bool built_with(const char* sanitizer)
{
#if defined(__SANITIZE_ADDRESS__)
    if (std::strcmp(sanitizer, "address") == 0)
        return true;
#endif
#if defined(__SANITIZE_THREAD__)
    if (std::strcmp(sanitizer, "thread") == 0)
        return true;
#endif
    (void)sanitizer;
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    if (const char* want = std::getenv("EDGE_RT_EXPECT_SANITIZER"); want && *want) {
        if (!built_with(want)) {
            std::fprintf(stderr, "this test setup expects a build with -fsanitize=%s; "
                                 "configure with -Db_sanitize=%s\n", want, want);
            return 1;
        }
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
