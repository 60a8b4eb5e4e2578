// One number for every byte the runtime holds. Reservations are atomic (compare-and-swap), so
// no interleaving of threads can take the total past the limit: there is no check-then-add.
#pragma once

#include <atomic>
#include <cstdint>

namespace edge_rt::memory {

class MemoryBudget {
public:
    explicit MemoryBudget(std::uint64_t limit_bytes) noexcept : limit_(limit_bytes) {}
    MemoryBudget(const MemoryBudget&) = delete;
    MemoryBudget& operator=(const MemoryBudget&) = delete;

    /// Adds `bytes` to the total if the result stays within the limit; false otherwise.
    bool try_reserve(std::uint64_t bytes) noexcept;
    /// Gives back bytes reserved earlier.
    void release(std::uint64_t bytes) noexcept;

    std::uint64_t limit() const noexcept { return limit_; }
    std::uint64_t current() const noexcept { return current_.load(std::memory_order_relaxed); }
    std::uint64_t peak() const noexcept { return peak_.load(std::memory_order_relaxed); }
    std::uint64_t available() const noexcept { return limit_ - current(); }

private:
    const std::uint64_t limit_;
    std::atomic<std::uint64_t> current_{0};
    std::atomic<std::uint64_t> peak_{0};
};

} // namespace edge_rt::memory
