#include "sanitizer_check.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace edge_rt::test {

bool sanitizer_expectation_met()
{
    const char* want = std::getenv("EDGE_RT_EXPECT_SANITIZER");
    if (want == nullptr || *want == '\0')
        return true;
    bool have = false;
#if defined(__SANITIZE_ADDRESS__)
    have = have || std::string_view(want) == "address";
#endif
#if defined(__SANITIZE_THREAD__)
    have = have || std::string_view(want) == "thread";
#endif
    if (!have)
        std::fprintf(stderr, "this test setup expects a build with -fsanitize=%s; "
                             "configure with -Db_sanitize=%s\n", want, want);
    return have;
}

} // namespace edge_rt::test
