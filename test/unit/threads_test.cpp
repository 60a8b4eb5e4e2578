// default_threads() follows the affinity mask: restricted to one CPU it says 1, restricted to
// two (where the machine has two) it says 2, and unrestricted it counts /proc's allowed list.
#include "core/threads.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sched.h>
#include <sstream>
#include <string>
#include <thread>

using namespace edge_rt;

namespace {

// CPUs in "Cpus_allowed_list:\t0-3,6" of /proc/self/status (the kernel's own account), or 0.
unsigned proc_allowed_cpus()
{
    std::ifstream in("/proc/thread-self/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Cpus_allowed_list:", 0) != 0)
            continue;
        std::stringstream ranges(line.substr(line.find(':') + 1));
        unsigned total = 0;
        for (std::string r; std::getline(ranges, r, ',');) {
            const auto dash = r.find('-');
            const unsigned a = static_cast<unsigned>(std::stoul(r.substr(0, dash)));
            const unsigned b = dash == std::string::npos ? a : static_cast<unsigned>(std::stoul(r.substr(dash + 1)));
            total += b - a + 1;
        }
        return total;
    }
    return 0;
}

} // namespace

TEST(DefaultThreads, CountsTheCpusOfTheAffinityMask)
{
    const unsigned allowed = proc_allowed_cpus();
    if (allowed == 0)
        GTEST_SKIP() << "no Cpus_allowed_list in /proc/thread-self/status";
    EXPECT_EQ(default_threads(), allowed);
    // On a thread of its own, so the test's main thread keeps its mask.
    std::thread([] {
        cpu_set_t all;
        ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
        int first = -1, second = -1;
        for (int c = 0; c < CPU_SETSIZE && second < 0; ++c)
            if (CPU_ISSET(c, &all))
                (first < 0 ? first : second) = c;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
        EXPECT_EQ(default_threads(), 1u);
        if (second >= 0) {
            CPU_SET(second, &one);
            ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
            EXPECT_EQ(default_threads(), 2u);
        }
    }).join();
}
