// The engine options of the golden (reference) tests, from the environment meson sets per run:
// EDGE_RT_KERNELS picks the kernel variant (the engine reads it) and EDGE_RT_TEST_THREADS the
// compute threads, so one test binary covers every variant and thread count.
#pragma once

#include "kernels/dispatch.hpp"
#include "runtime/engine.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <string>

namespace edge_rt::test {

inline runtime::EngineOptions golden_options()
{
    runtime::EngineOptions o;
    const char* threads = std::getenv("EDGE_RT_TEST_THREADS");
    o.threads = threads && *threads ? static_cast<unsigned>(std::stoul(threads)) : 1u;
    return o;
}

/// True when EDGE_RT_KERNELS names a variant this CPU lacks (the run is then skipped, visibly).
inline bool golden_variant_missing()
{
    const char* name = std::getenv("EDGE_RT_KERNELS");
    if (name == nullptr || *name == '\0')
        return false;
    for (const auto* k : kernels::available_kernels())
        if (std::string(name) == k->name)
            return false;
    return true;
}

} // namespace edge_rt::test

/// Skips the test when the requested kernel variant is not on this CPU.
#define EDGE_RT_SKIP_IF_VARIANT_MISSING()                                                            \
    do {                                                                                               \
        if (edge_rt::test::golden_variant_missing())                                                   \
            GTEST_SKIP() << "kernels " << std::getenv("EDGE_RT_KERNELS") << " not available on this CPU"; \
    } while (0)
