// The one clock the runtime times itself with, and milliseconds between two of its readings.
#pragma once

#include <chrono>

namespace edge_rt::runtime {

using Clock = std::chrono::steady_clock;

inline double ms_between(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

} // namespace edge_rt::runtime
