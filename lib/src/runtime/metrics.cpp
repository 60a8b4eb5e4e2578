#include "runtime/metrics.hpp"

#include <sys/resource.h>

namespace edge_rt::runtime {

std::uint64_t peak_rss_bytes()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024u; // Linux reports KiB
}

} // namespace edge_rt::runtime
