// The pread backend: the same chunking and queue depth as io_uring, with blocking preads on a
// small thread pool whose completions are posted back to the io_context. Used where io_uring
// is missing (qemu-user, seccomp, old kernels) and on request.
#include "io/reader_backends.hpp"
#include "io/reader_core.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <cerrno>
#include <deque>
#include <unistd.h>

namespace edge_rt::io {
namespace {

class PreadReader final : public WeightReader {
public:
    PreadReader(asio::io_context& io, const std::vector<std::string>& paths, const ReaderOptions& options)
        : core_(io, paths, options), pool_(options.pread_threads == 0 ? 1 : options.pread_threads)
    {
    }

    ~PreadReader() override
    {
        *alive_ = false;
        pool_.join(); // every pread has returned: no buffer is still being written
    }

    asio::awaitable<void> read(std::vector<ReadRange> ranges) override
    {
        Batch batch(core_.io);
        core_.plan(batch, ranges);
        for (auto& c : batch.chunks)
            queue_.push_back(&c);
        pump();
        co_await wait_for(batch);
    }

    std::string_view backend_name() const noexcept override { return "pread"; }
    bool direct_io() const noexcept override { return core_.any_direct(); }
    const ReaderStats& stats() const noexcept override { return core_.stats; }

private:
    void pump()
    {
        while (in_flight_ < core_.options.queue_depth && !queue_.empty()) {
            Chunk* c = queue_.front();
            queue_.pop_front();
            if (c->batch->error) {
                ReaderCore::finish(*c);
                continue;
            }
            ++in_flight_;
            ++core_.stats.requests;
            core_.in_flight_changed(1);
            // The work guard keeps io_context::run() going while the pread is on the pool.
            asio::post(pool_, [this, c, fd = core_.fd_for(*c), alive = alive_,
                               work = asio::make_work_guard(core_.io)] {
                if (core_.options.before_pread)
                    core_.options.before_pread(c->len);
                const ssize_t n = ::pread(fd, c->dest, c->len, static_cast<off_t>(c->offset));
                const int result = n >= 0 ? static_cast<int>(n) : -errno;
                asio::post(work.get_executor(), [this, c, result, alive] {
                    if (*alive)
                        completed(*c, result);
                });
            });
        }
    }

    void completed(Chunk& c, int result)
    {
        --in_flight_;
        core_.in_flight_changed(-1);
        switch (core_.complete(c, result)) {
        case ReaderCore::Outcome::Retry: queue_.push_front(&c); break;
        case ReaderCore::Outcome::Done:
        case ReaderCore::Outcome::Failed: ReaderCore::finish(c); break;
        }
        pump();
    }

    ReaderCore core_;
    asio::thread_pool pool_;
    std::deque<Chunk*> queue_;
    unsigned in_flight_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace

std::unique_ptr<WeightReader> make_pread_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                                const ReaderOptions& options)
{
    return std::make_unique<PreadReader>(io, paths, options);
}

} // namespace edge_rt::io
