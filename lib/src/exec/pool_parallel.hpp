// kernels::Parallel on the compute pool: a kernel call running on one pool thread hands tasks to
// the pool's other threads and works through them itself too, so a call never waits for a
// thread to become free and never runs more threads than the pool has (-t).
#pragma once

#include "kernels/parallel.hpp"

#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>

namespace edge_rt::exec {

class PoolParallel final : public kernels::Parallel {
public:
    PoolParallel(asio::thread_pool::executor_type pool, unsigned threads)
        : pool_(pool), threads_(threads), active_(threads) {}

    /// Threads a call may use now: the monitor lowers it when the board is hot, between
    /// passes; never more than the pool has, at least 1.
    unsigned threads() const noexcept override { return active_.load(std::memory_order_relaxed); }
    void limit(unsigned active) noexcept
    {
        active_.store(std::clamp(active, 1u, threads_), std::memory_order_relaxed);
    }

    void for_each(std::size_t n, const std::function<void(std::size_t)>& task) const override
    {
        const unsigned active = threads();
        if (n <= 1 || active <= 1) {
            for (std::size_t i = 0; i < n; ++i)
                task(i);
            return;
        }
        // Helpers hold the job by shared_ptr: one that starts after every task was claimed
        // only finds the counter exhausted and never touches `task`.
        auto job = std::make_shared<Job>(n, task);
        const std::size_t helpers = std::min<std::size_t>(active - 1, n - 1);
        for (std::size_t h = 0; h < helpers; ++h)
            asio::post(pool_, [job] { job->work(); });
        job->work();
        for (std::size_t done = job->done.load(); done < n; done = job->done.load())
            job->done.wait(done);
        if (job->error)
            std::rethrow_exception(job->error);
    }

private:
    struct Job {
        Job(std::size_t count, const std::function<void(std::size_t)>& t) : n(count), task(&t) {}
        void work()
        {
            for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
                try {
                    (*task)(i);
                } catch (...) {
                    const std::lock_guard lock(mutex);
                    if (!error)
                        error = std::current_exception();
                }
                if (done.fetch_add(1) + 1 == n)
                    done.notify_all();
            }
        }
        const std::size_t n;
        const std::function<void(std::size_t)>* task;
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> done{0};
        std::mutex mutex;
        std::exception_ptr error;
    };

    asio::thread_pool::executor_type pool_;
    unsigned threads_;
    std::atomic<unsigned> active_;
};

} // namespace edge_rt::exec
