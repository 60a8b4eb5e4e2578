// The pread backend: the same chunking and queue depth as io_uring, with blocking preads on a
// small thread pool whose completions are posted back to the io_context. Used where io_uring
// is missing (qemu-user, seccomp, old kernels) and on request.
// A pread that outlives read_timeout cannot be interrupted: its chunk fails (the batch's read()
// throws), and until its thread returns the reader refuses every read, so no later read can
// hand out a buffer that thread may still write; the pool's buffers stay allocated because the
// engine destroys the reader (joining its threads) before its memory pool.
#include "io/reader_backends.hpp"
#include "io/reader_core.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <cerrno>
#include <fmt/format.h>
#include <unistd.h>

namespace edge_rt::io {
namespace {

// One posted request. The worker never touches the Chunk (its batch may be gone after a
// timeout): it gets the fd, buffer and range by value.
struct Flight {
    enum State { Queued, Running, Dropped };
    explicit Flight(Chunk* c) : chunk(c) {}
    Chunk* chunk;
    std::atomic<int> state{Queued};
    bool abandoned = false; // timed out while running: its completion is dropped
};

class PreadReader final : public QueuedReader {
public:
    PreadReader(asio::io_context& io, const std::vector<std::string>& paths, const ReaderOptions& options)
        : QueuedReader(io, paths, options), pool_(options.pread_threads == 0 ? 1 : options.pread_threads)
    {
    }

    ~PreadReader() override
    {
        *alive_ = false;
        core_.end_hangs(); // the test hook's hung reads return
        pool_.join();      // every pread has returned: no buffer is still being written
    }

    std::string_view backend_name() const noexcept override { return "pread"; }
    unsigned abandoned_reads() const noexcept override { return stuck_; }

private:
    void pump() override
    {
        if (stuck_ > 0) {
            while (Chunk* c = next_chunk()) {
                if (!c->batch->error)
                    c->batch->error = stuck_error_;
                ReaderCore::finish(*c);
            }
            return;
        }
        while (in_flight_ < core_.options.queue_depth) {
            Chunk* c = next_chunk();
            if (c == nullptr)
                return;
            start(*c);
        }
    }

    void start(Chunk& c)
    {
        ++in_flight_;
        ++core_.stats.requests;
        core_.in_flight_changed(1);
        const bool hang = core_.options.hang && core_.options.hang(c.file, c.offset, c.len);
        auto flight = std::make_shared<Flight>(&c);
        flights_.push_back(flight);
        took_off(c);
        // The work guard keeps io_context::run() going while the pread is on the pool.
        asio::post(pool_, [this, flight, fd = hang ? core_.hang_fd() : core_.fd_for(c), hang, dest = c.dest,
                           len = c.len, offset = c.offset, alive = alive_, work = asio::make_work_guard(core_.io)] {
            int expected = Flight::Queued;
            int result = -ECANCELED;
            if (flight->state.compare_exchange_strong(expected, Flight::Running)) {
                if (core_.options.before_pread)
                    core_.options.before_pread(len);
                const ssize_t n = hang ? ::read(fd, dest, len) : ::pread(fd, dest, len, static_cast<off_t>(offset));
                result = n >= 0 ? static_cast<int>(n) : -errno;
            }
            asio::post(work.get_executor(), [this, flight, result, alive] {
                if (*alive)
                    returned(*flight, result);
            });
        });
    }

    void returned(Flight& f, int result)
    {
        --in_flight_;
        core_.in_flight_changed(-1);
        std::erase_if(flights_, [&](const auto& p) { return p.get() == &f; });
        if (f.abandoned) {
            if (--stuck_ == 0)
                stuck_error_ = nullptr;
        } else if (f.state.load() != Flight::Dropped) {
            landed(*f.chunk);
            completed(*f.chunk, result);
        }
        pump();
    }

    // A request still queued on the pool is dropped (its pread never runs); a running one is
    // abandoned, and the reader refuses reads until its thread returns.
    void on_timeout(Chunk& c) override
    {
        const auto it = std::find_if(flights_.begin(), flights_.end(), [&](const auto& p) { return p->chunk == &c; });
        if (it == flights_.end())
            return;
        Flight& f = **it;
        int expected = Flight::Queued;
        if (!f.state.compare_exchange_strong(expected, Flight::Dropped)) {
            f.abandoned = true;
            if (stuck_++ == 0)
                stuck_error_ = std::make_exception_ptr(IoError(fmt::format(
                    "{}: the reader is unusable until a read that timed out returns (pread cannot be interrupted)",
                    core_.files[c.file].buffered.path())));
        }
        f.chunk = nullptr;
        landed(c);
        ReaderCore::finish(c);
        pump();
    }

    asio::thread_pool pool_;
    unsigned in_flight_ = 0;
    unsigned stuck_ = 0; // abandoned preads still running
    std::exception_ptr stuck_error_;
    std::vector<std::shared_ptr<Flight>> flights_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace

std::unique_ptr<WeightReader> make_pread_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                                const ReaderOptions& options)
{
    return std::make_unique<PreadReader>(io, paths, options);
}

} // namespace edge_rt::io
