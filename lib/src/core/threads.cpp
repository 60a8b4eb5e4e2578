#include "core/threads.hpp"

#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace edge_rt {

unsigned default_threads()
{
#if defined(__linux__)
    // Grow the mask until the kernel's fits (EINVAL means it is larger than ours).
    for (int cpus = 1024; cpus <= (1 << 16); cpus *= 2) {
        cpu_set_t* set = CPU_ALLOC(cpus);
        if (set == nullptr)
            break;
        const std::size_t bytes = CPU_ALLOC_SIZE(cpus);
        CPU_ZERO_S(bytes, set);
        const int rc = sched_getaffinity(0, bytes, set);
        const int count = rc == 0 ? CPU_COUNT_S(bytes, set) : 0;
        CPU_FREE(set);
        if (rc == 0)
            return count > 0 ? static_cast<unsigned>(count) : 1u;
    }
#endif
    const unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? n : 1u;
}

} // namespace edge_rt
