// How many compute threads to use when the user does not say: the CPUs this process may run
// on (its affinity mask, so taskset, cgroups' cpusets and containers are respected), as
// llama.cpp does, rather than one.
#pragma once

namespace edge_rt {

/// CPUs in the calling thread's affinity mask (sched_getaffinity), at least 1; where that is
/// unavailable, std::thread::hardware_concurrency() (or 1).
unsigned default_threads();

} // namespace edge_rt
