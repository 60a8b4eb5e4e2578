#include "memory/budget.hpp"

#include <cassert>

namespace edge_rt::memory {

bool MemoryBudget::try_reserve(std::uint64_t bytes) noexcept
{
    std::uint64_t cur = current_.load(std::memory_order_relaxed);
    std::uint64_t next = 0;
    do {
        if (bytes > limit_ || cur > limit_ - bytes)
            return false;
        next = cur + bytes;
    } while (!current_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                             std::memory_order_relaxed));
    std::uint64_t peak = peak_.load(std::memory_order_relaxed);
    while (next > peak && !peak_.compare_exchange_weak(peak, next, std::memory_order_relaxed)) {
    }
    return true;
}

void MemoryBudget::release(std::uint64_t bytes) noexcept
{
    [[maybe_unused]] const std::uint64_t before = current_.fetch_sub(bytes, std::memory_order_acq_rel);
    assert(before >= bytes && "released more than was reserved");
}

} // namespace edge_rt::memory
