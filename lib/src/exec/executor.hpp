// The executor: an Asio io_context for orchestration, I/O completions, timers and signals, plus
// a pool of compute threads. Coroutines on the io_context hand CPU-heavy work to the pool with
// `co_await async_compute(...)` and resume on the io_context when it is done, so the io_context
// never blocks on compute and I/O completions keep flowing while kernels run.
#pragma once

#include "edge_rt/operation.hpp"
#include "exec/pool_parallel.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/system_executor.hpp>
#include <asio/thread_pool.hpp>
#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace edge_rt::exec {

/// Threads that run kernels. Work arrives only through async_compute.
class ComputePool {
public:
    explicit ComputePool(unsigned threads) : threads_(threads == 0 ? 1 : threads), pool_(threads_) {}
    ~ComputePool() { pool_.join(); }
    ComputePool(const ComputePool&) = delete;
    ComputePool& operator=(const ComputePool&) = delete;

    unsigned threads() const noexcept { return threads_; }
    asio::thread_pool::executor_type executor() noexcept { return pool_.get_executor(); }
    /// For kernels running on one of these threads: spreads their rows over the others.
    const kernels::Parallel& parallel() const noexcept { return parallel_; }
    /// Between kernel calls: how many of the threads a call may use (the monitor's limit).
    void limit_threads(unsigned active) noexcept { parallel_.limit(active); }

private:
    unsigned threads_;
    asio::thread_pool pool_;
    PoolParallel parallel_{pool_.get_executor(), threads_};
};

namespace detail {
template <typename R>
struct compute_signature {
    using type = void(std::exception_ptr, R);
};
template <>
struct compute_signature<void> {
    using type = void(std::exception_ptr);
};
} // namespace detail

/// Runs `fn()` on a compute thread, then completes on the handler's associated executor (for a
/// coroutine: its io_context) with `fn`'s result, or with the exception `fn` threw.
/// Completion signature: void(std::exception_ptr[, R]). Cancellation: none once started — the
/// work is one kernel call; callers stop at the next boundary instead.
template <typename Fn, typename CompletionToken>
auto async_compute(ComputePool& pool, Fn fn, CompletionToken&& token)
{
    using R = std::invoke_result_t<Fn&>;
    using Signature = typename detail::compute_signature<R>::type;
    return asio::async_initiate<CompletionToken, Signature>(
        [&pool](auto handler, Fn f) {
            // Completes like every public operation: through the handler's executor and
            // allocator, with a work guard on that executor while the kernel runs.
            auto done = edge_rt::detail::completion<Signature>(std::move(handler), asio::system_executor());
            asio::post(pool.executor(), [done = std::move(done), f = std::move(f)]() mutable {
                std::exception_ptr error;
                if constexpr (std::is_void_v<R>) {
                    try {
                        f();
                    } catch (...) {
                        error = std::current_exception();
                    }
                    done(error);
                } else {
                    std::optional<R> result;
                    try {
                        result.emplace(f());
                    } catch (...) {
                        error = std::current_exception();
                    }
                    done(error, result ? std::move(*result) : R{});
                }
            });
        },
        token, std::move(fn));
}

/// An io_context (owned, or the embedding caller's) plus a compute pool.
class Executor {
public:
    /// Owns its io_context; run_blocking() drives it on the calling thread.
    explicit Executor(unsigned compute_threads)
        : owned_(std::make_unique<asio::io_context>(1)), io_(*owned_), compute_(compute_threads)
    {
    }
    /// Embedding: uses the caller's io_context, which the caller runs; never runs it itself.
    Executor(asio::io_context& io, unsigned compute_threads) : io_(io), compute_(compute_threads) {}

    asio::io_context& io() noexcept { return io_; }
    ComputePool& compute() noexcept { return compute_; }
    bool owns_io() const noexcept { return owned_ != nullptr; }

    /// Runs `task` to completion and returns its result (or rethrows its exception). With an
    /// owned io_context the calling thread runs it; when embedded, the caller's threads must be
    /// running the io_context and this thread only waits (never call it from one of them).
    template <typename T>
    T run_blocking(asio::awaitable<T> task)
    {
        std::promise<T> done;
        auto result = done.get_future();
        asio::co_spawn(io_, std::move(task), [&done](std::exception_ptr e, auto... value) {
            if (e)
                done.set_exception(e);
            else
                done.set_value(std::move(value)...);
        });
        if (owned_) {
            // Until the task is done, not until the io_context runs dry: reads started for the
            // next pass and a signal_set waiting for SIGINT must not hold the caller here.
            while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                if (owned_->stopped())
                    owned_->restart();
                owned_->run_one();
            }
        }
        return result.get();
    }

private:
    std::unique_ptr<asio::io_context> owned_;
    asio::io_context& io_;
    ComputePool compute_;
};

} // namespace edge_rt::exec
