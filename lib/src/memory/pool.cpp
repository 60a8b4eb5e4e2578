#include "memory/pool.hpp"

#include "edge_rt/error.hpp"

#include <cassert>
#include <cstdlib>
#include <fmt/format.h>
#include <utility>

namespace edge_rt::memory {

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)), capacity_(std::exchange(other.capacity_, 0))
{
}

Lease& Lease::operator=(Lease&& other) noexcept
{
    if (this != &other) {
        reset();
        pool_ = std::exchange(other.pool_, nullptr);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
}

void Lease::reset() noexcept
{
    if (data_ != nullptr)
        pool_->give_back(data_, capacity_);
    pool_ = nullptr;
    data_ = nullptr;
    size_ = capacity_ = 0;
}

Pool::Pool(MemoryBudget& budget, std::size_t alignment) : budget_(budget), alignment_(alignment)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment < sizeof(void*))
        throw ConfigError(fmt::format("pool alignment {} is not a power of two", alignment));
}

Pool::~Pool()
{
    assert(leased_bytes_ == 0 && "a lease outlived its pool");
    trim();
}

std::byte* Pool::take_cached(std::size_t capacity)
{
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(capacity);
    if (it == cache_.end())
        return nullptr;
    std::byte* p = it->second;
    cache_.erase(it);
    cached_bytes_ -= capacity;
    leased_bytes_ += capacity;
    return p;
}

bool Pool::free_cached_until(std::size_t capacity)
{
    std::lock_guard lock(mutex_);
    // Largest first: the fewest frees that make room.
    while (!cache_.empty() && budget_.available() < capacity) {
        const auto it = std::prev(cache_.end());
        std::free(it->second);
        budget_.release(it->first);
        cached_bytes_ -= it->first;
        cache_.erase(it);
    }
    return budget_.available() >= capacity;
}

std::optional<Lease> Pool::try_acquire(std::size_t bytes)
{
    const std::size_t want = bytes == 0 ? 1 : bytes;
    if (want > SIZE_MAX - alignment_)
        return std::nullopt;
    const std::size_t capacity = (want + alignment_ - 1) / alignment_ * alignment_;
    if (std::byte* cached = take_cached(capacity))
        return Lease(this, cached, bytes, capacity);
    // Reserve before allocating, so the budget is never exceeded even for a moment.
    while (!budget_.try_reserve(capacity))
        if (!free_cached_until(capacity))
            return std::nullopt;
    void* p = std::aligned_alloc(alignment_, capacity);
    if (p == nullptr) {
        budget_.release(capacity);
        throw BudgetError(fmt::format("the system could not allocate {} bytes", capacity));
    }
    {
        std::lock_guard lock(mutex_);
        leased_bytes_ += capacity;
    }
    return Lease(this, static_cast<std::byte*>(p), bytes, capacity);
}

Lease Pool::acquire(std::size_t bytes, std::string_view what)
{
    if (auto lease = try_acquire(bytes))
        return std::move(*lease);
    throw BudgetError(fmt::format("memory budget exceeded: {} needs {} bytes, {} of {} bytes in use",
                                  what, bytes, budget_.current(), budget_.limit()));
}

void Pool::give_back(std::byte* data, std::size_t capacity) noexcept
{
    std::lock_guard lock(mutex_);
    leased_bytes_ -= capacity;
    try {
        cache_.emplace(capacity, data);
        cached_bytes_ += capacity;
    } catch (...) { // no memory for the cache node: free the buffer instead
        std::free(data);
        budget_.release(capacity);
    }
}

void Pool::trim()
{
    std::lock_guard lock(mutex_);
    for (const auto& [capacity, p] : cache_) {
        std::free(p);
        budget_.release(capacity);
    }
    cache_.clear();
    cached_bytes_ = 0;
}

std::uint64_t Pool::cached_bytes() const
{
    std::lock_guard lock(mutex_);
    return cached_bytes_;
}

std::uint64_t Pool::leased_bytes() const
{
    std::lock_guard lock(mutex_);
    return leased_bytes_;
}

} // namespace edge_rt::memory
