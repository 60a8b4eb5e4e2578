#include "edge_rt/error.hpp"
#include "memory/pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <random>
#include <thread>
#include <vector>

using namespace edge_rt;
using memory::Lease;
using memory::MemoryBudget;
using memory::Pool;

TEST(MemoryBudget, ReservesWithinTheLimitOnly)
{
    MemoryBudget b(100);
    EXPECT_TRUE(b.try_reserve(60));
    EXPECT_FALSE(b.try_reserve(41));
    EXPECT_TRUE(b.try_reserve(40));
    EXPECT_FALSE(b.try_reserve(1));
    EXPECT_FALSE(b.try_reserve(UINT64_MAX)); // no overflow
    b.release(70);
    EXPECT_EQ(b.current(), 30u);
    EXPECT_EQ(b.peak(), 100u);
}

TEST(Pool, BuffersAreAlignedAndChargedAlignedUp)
{
    MemoryBudget b(1 << 20);
    Pool pool(b);
    Lease a = pool.acquire(1, "a");
    Lease c = pool.acquire(5000, "c");
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % 4096, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(c.data()) % 4096, 0u);
    EXPECT_EQ(a.capacity(), 4096u);
    EXPECT_EQ(c.capacity(), 8192u);
    EXPECT_EQ(c.size(), 5000u);
    EXPECT_EQ(b.current(), 4096u + 8192u);
    std::fill(c.bytes().begin(), c.bytes().end(), std::byte{7}); // writable (ASan checks bounds)
}

TEST(Pool, ReturnedBuffersStayChargedAndAreReused)
{
    MemoryBudget b(3 * 4096);
    Pool pool(b);
    std::byte* first = nullptr;
    {
        Lease a = pool.acquire(4096, "a");
        first = a.data();
    }
    EXPECT_EQ(pool.cached_bytes(), 4096u);
    EXPECT_EQ(b.current(), 4096u) << "a cached buffer still counts against the budget";
    Lease again = pool.acquire(4000, "again");
    EXPECT_EQ(again.data(), first);
    EXPECT_EQ(pool.cached_bytes(), 0u);
}

TEST(Pool, TrimsTheCacheBeforeRefusing)
{
    MemoryBudget b(4 * 4096);
    Pool pool(b);
    { Lease small = pool.acquire(2 * 4096, "small"); }
    EXPECT_EQ(b.current(), 2u * 4096);
    Lease big = pool.acquire(4 * 4096, "big"); // needs the cached bytes back
    EXPECT_EQ(b.current(), 4u * 4096);
    EXPECT_EQ(pool.cached_bytes(), 0u);
    EXPECT_FALSE(pool.try_acquire(1).has_value());
    try {
        (void)pool.acquire(10, "kv cache");
        FAIL();
    } catch (const BudgetError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("kv cache needs 10 bytes, 16384 of 16384 bytes in use"));
    }
}

TEST(Pool, MovedLeasesReturnOnce)
{
    MemoryBudget b(1 << 16);
    Pool pool(b);
    Lease a = pool.acquire(100, "a");
    Lease moved = std::move(a);
    EXPECT_FALSE(static_cast<bool>(a));
    Lease other = pool.acquire(100, "other");
    other = std::move(moved); // other's first buffer goes back to the cache
    EXPECT_EQ(pool.leased_bytes(), 4096u);
    EXPECT_EQ(pool.cached_bytes(), 4096u);
    other.reset();
    EXPECT_EQ(pool.leased_bytes(), 0u);
    EXPECT_EQ(b.current(), 2u * 4096);
    pool.trim();
    EXPECT_EQ(b.current(), 0u);
}

// Property: random acquire/release from several threads never takes the total past the budget,
// and everything is accounted for at the end.
TEST(Pool, ConcurrentUseNeverExceedsTheBudget)
{
    constexpr std::uint64_t limit = 64 * 4096;
    MemoryBudget b(limit);
    Pool pool(b);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&pool, &b, t, limit] {
            std::mt19937 rng(static_cast<unsigned>(t));
            std::vector<Lease> held;
            for (int i = 0; i < 2000; ++i) {
                if (held.size() < 6 && rng() % 3 != 0) {
                    if (auto l = pool.try_acquire(1 + rng() % (12 * 4096)))
                        held.push_back(std::move(*l));
                } else if (!held.empty()) {
                    held.erase(held.begin() + static_cast<std::ptrdiff_t>(rng() % held.size()));
                }
                EXPECT_LE(b.current(), limit);
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_LE(b.peak(), limit);
    EXPECT_EQ(pool.leased_bytes(), 0u);
    EXPECT_EQ(b.current(), pool.cached_bytes());
    pool.trim();
    EXPECT_EQ(b.current(), 0u);
}
