#include "exec/executor.hpp"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <chrono>
#include <future>
#include <gtest/gtest.h>
#include <stdexcept>
#include <thread>

using namespace edge_rt::exec;
using asio::awaitable;
using asio::use_awaitable;

TEST(Executor, ComputeRunsOnThePoolAndResumesOnTheIoThread)
{
    Executor ex(2);
    const auto [io_before, worker, io_after, value] = ex.run_blocking([&]() -> awaitable<std::tuple<std::thread::id, std::thread::id, std::thread::id, int>> {
        const auto before = std::this_thread::get_id();
        std::thread::id worker_id;
        const int v = co_await async_compute(ex.compute(), [&] {
            worker_id = std::this_thread::get_id();
            return 42;
        }, use_awaitable);
        co_return std::tuple{before, worker_id, std::this_thread::get_id(), v};
    }());
    EXPECT_EQ(value, 42);
    EXPECT_EQ(io_before, std::this_thread::get_id()); // owned io_context runs on the caller
    EXPECT_EQ(io_after, io_before);
    EXPECT_NE(worker, io_before);
}

TEST(Executor, ExceptionsFromComputeReachTheCoroutine)
{
    Executor ex(1);
    EXPECT_THROW(ex.run_blocking([&]() -> awaitable<void> {
        co_await async_compute(ex.compute(), [] { throw std::runtime_error("kernel failed"); }, use_awaitable);
    }()), std::runtime_error);
    // The executor is still usable afterwards.
    EXPECT_EQ(ex.run_blocking([&]() -> awaitable<int> {
        co_return co_await async_compute(ex.compute(), [] { return 7; }, use_awaitable);
    }()), 7);
}

// The compute job can only finish after a timer on the io_context fires: if compute blocked the
// io_context this would deadlock (and the test would time out) instead of passing.
TEST(Executor, IoContextKeepsRunningWhileComputeWaits)
{
    Executor ex(1);
    std::promise<void> released;
    auto released_future = released.get_future();
    const int ticks = ex.run_blocking([&]() -> awaitable<int> {
        int n = 0;
        auto ticker = [&]() -> awaitable<void> {
            asio::steady_timer t(ex.io());
            for (; n < 5; ++n) {
                t.expires_after(std::chrono::milliseconds(1));
                co_await t.async_wait(use_awaitable);
            }
            released.set_value();
        };
        asio::co_spawn(ex.io(), ticker(), asio::detached);
        co_await async_compute(ex.compute(), [&] { released_future.wait(); }, use_awaitable);
        co_return n;
    }());
    EXPECT_EQ(ticks, 5);
}

TEST(Executor, ManyConcurrentComputes)
{
    Executor ex(2);
    std::atomic<int> running{0};
    const long total = ex.run_blocking([&]() -> awaitable<long> {
        long sum = 0;
        int finished = 0;
        asio::steady_timer all_done(ex.io(), std::chrono::steady_clock::time_point::max());
        for (int i = 1; i <= 200; ++i) {
            asio::co_spawn(ex.io(), [&, i]() -> awaitable<void> {
                sum += co_await async_compute(ex.compute(), [&running, i] {
                    running.fetch_add(1);
                    running.fetch_sub(1);
                    return static_cast<long>(i);
                }, use_awaitable); // resumes on the single io thread: no race on sum
                if (++finished == 200)
                    all_done.cancel();
            }, asio::detached);
        }
        try {
            co_await all_done.async_wait(use_awaitable);
        } catch (const std::system_error&) { // cancelled: everything finished
        }
        co_return sum;
    }());
    EXPECT_EQ(total, 200L * 201 / 2);
}

TEST(Executor, EmbeddedOnACallersIoContext)
{
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    Executor ex(io, 1);
    EXPECT_FALSE(ex.owns_io());
    std::thread::id io_thread;
    const int v = ex.run_blocking([&]() -> awaitable<int> {
        const int r = co_await async_compute(ex.compute(), [] { return 5; }, use_awaitable);
        io_thread = std::this_thread::get_id();
        co_return r * 2;
    }());
    EXPECT_EQ(v, 10);
    EXPECT_EQ(io_thread, runner.get_id());
    guard.reset();
    runner.join();
}
