// kernels::Parallel on the compute pool: a kernel call running on one pool thread hands tasks to
// the pool's other threads and works through them itself too, so a call never waits for a
// thread to become free and never runs more threads than the pool has (-t).
//
// A decode token makes a few hundred such calls, each worth tens of microseconds, so waking a
// sleeping pool thread for each would cost a sizeable share of the token. A helper that
// finished its part therefore lingers briefly (kLinger), spinning on a mailbox where the next
// call leaves its job; only when none comes does it return to the pool and sleep.
#pragma once

#include "kernels/parallel.hpp"

#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace edge_rt::exec {

class PoolParallel final : public kernels::Parallel {
public:
    PoolParallel(asio::thread_pool::executor_type pool, unsigned threads)
        : pool_(pool), threads_(threads), active_(threads), mail_(std::make_shared<Mailbox>()) {}

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
        const std::size_t handed = mail_->offer(job, helpers);
        for (std::size_t h = handed; h < helpers; ++h)
            asio::post(pool_, [job, mail = mail_] {
                job->work();
                mail->linger();
            });
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

    // Where a call leaves its job for lingering helpers. Shared with them, so it outlives
    // the PoolParallel if a helper is still spinning when that goes away.
    struct Mailbox {
        static constexpr auto kLinger = std::chrono::microseconds(200);

        // Leaves `job` for up to `wanted` lingering helpers; returns how many it may count on.
        // A helper that gave up meanwhile leaves its ticket unused: the caller then does that
        // share itself, and a later helper finds the job exhausted.
        std::size_t offer(const std::shared_ptr<Job>& job, std::size_t wanted)
        {
            const std::size_t idle = std::min<std::size_t>(lingering.load(), wanted);
            if (idle == 0)
                return 0;
            const std::lock_guard lock(mutex);
            posted = job;
            tickets = idle;
            has_mail.store(true, std::memory_order_release);
            return idle;
        }

        std::shared_ptr<Job> take()
        {
            if (!has_mail.load(std::memory_order_acquire))
                return nullptr;
            const std::lock_guard lock(mutex);
            if (tickets == 0)
                return nullptr;
            auto job = posted;
            if (--tickets == 0) {
                posted.reset();
                has_mail.store(false, std::memory_order_relaxed);
            }
            return job;
        }

        void linger()
        {
            lingering.fetch_add(1);
            auto until = std::chrono::steady_clock::now() + kLinger;
            for (;;) {
                if (auto job = take()) {
                    job->work();
                    until = std::chrono::steady_clock::now() + kLinger;
                    continue;
                }
                if (std::chrono::steady_clock::now() >= until)
                    break;
                std::this_thread::yield();
            }
            lingering.fetch_sub(1);
            // A call may have counted on this helper just before it left.
            while (auto job = take())
                job->work();
        }

        std::atomic<unsigned> lingering{0};
        std::atomic<bool> has_mail{false};
        std::mutex mutex;
        std::shared_ptr<Job> posted;
        std::size_t tickets = 0;
    };

    asio::thread_pool::executor_type pool_;
    unsigned threads_;
    std::atomic<unsigned> active_;
    std::shared_ptr<Mailbox> mail_;
};

} // namespace edge_rt::exec
