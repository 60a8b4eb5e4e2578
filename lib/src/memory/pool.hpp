// Aligned buffers handed out as RAII leases, every byte charged to one MemoryBudget. Buffers
// given back stay cached for reuse and keep their charge, so the budget always covers what
// the process really holds; the cache is trimmed when a new request would not fit otherwise.
#pragma once

#include "memory/budget.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

namespace edge_rt::memory {

class Pool;

/// Exclusive use of one pool buffer; returns it to the pool when destroyed or reset.
class Lease {
public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { reset(); }

    std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }         // bytes asked for
    std::size_t capacity() const noexcept { return capacity_; } // bytes charged (aligned up)
    std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
    explicit operator bool() const noexcept { return data_ != nullptr; }

    /// Gives the buffer back now.
    void reset() noexcept;

private:
    friend class Pool;
    Lease(Pool* pool, std::byte* data, std::size_t size, std::size_t capacity) noexcept
        : pool_(pool), data_(data), size_(size), capacity_(capacity)
    {
    }
    Pool* pool_ = nullptr;
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

class Pool {
public:
    /// `alignment` must be a power of two; 4096 makes every buffer usable with O_DIRECT.
    explicit Pool(MemoryBudget& budget, std::size_t alignment = 4096);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// A buffer of at least `bytes`, or nullopt when the budget cannot cover it even after
    /// freeing every cached buffer.
    std::optional<Lease> try_acquire(std::size_t bytes);
    /// As try_acquire, but throws BudgetError naming `what`, the request, the use and the limit.
    Lease acquire(std::size_t bytes, std::string_view what);

    /// Frees every cached (returned, unused) buffer and gives its bytes back to the budget.
    void trim();

    MemoryBudget& budget() noexcept { return budget_; }
    std::size_t alignment() const noexcept { return alignment_; }
    std::uint64_t cached_bytes() const;
    std::uint64_t leased_bytes() const;

private:
    friend class Lease;
    void give_back(std::byte* data, std::size_t capacity) noexcept;
    std::byte* take_cached(std::size_t capacity);
    bool free_cached_until(std::size_t capacity); // frees cached buffers until `capacity` fits

    MemoryBudget& budget_;
    const std::size_t alignment_;
    mutable std::mutex mutex_;
    std::multimap<std::size_t, std::byte*> cache_; // capacity -> buffer
    std::uint64_t cached_bytes_ = 0;
    std::uint64_t leased_bytes_ = 0;
};

} // namespace edge_rt::memory
