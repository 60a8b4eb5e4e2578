// How a kernel call spreads independent tasks over threads. The kernels only see this
// interface; the compute pool (exec/) implements it, and serial() runs everything in place.
#pragma once

#include <cstddef>
#include <functional>

namespace edge_rt::kernels {

class Parallel {
public:
    virtual ~Parallel() = default;
    /// Threads that may run tasks at once (the caller's included).
    virtual unsigned threads() const noexcept = 0;
    /// Calls task(i) once for every i in [0, n), on any of its threads including the caller's,
    /// and returns when all have finished. The first exception a task throws is rethrown.
    virtual void for_each(std::size_t n, const std::function<void(std::size_t)>& task) const = 0;
};

/// Runs every task on the calling thread, in order.
const Parallel& serial();

} // namespace edge_rt::kernels
