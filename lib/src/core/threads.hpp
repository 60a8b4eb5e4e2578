// How many compute threads to use when the user does not say: the CPUs this process may run
// on (its affinity mask, so taskset, cgroups' cpusets and containers are respected), as
// llama.cpp does, rather than one.
// Declared in the public config header (edge_rt::default_threads), which the API exports.
#pragma once

#include "edge_rt/config.hpp"

