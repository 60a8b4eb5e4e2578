// The pread backend: the same chunking and queue depth as io_uring, with blocking preads on a
// small thread pool whose completions are posted back to the io_context. Used where io_uring
// is missing (qemu-user, seccomp, old kernels) and on request.
#include "io/reader_backends.hpp"
#include "io/reader_core.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <cerrno>
#include <unistd.h>

namespace edge_rt::io {
namespace {

class PreadReader final : public QueuedReader {
public:
    PreadReader(asio::io_context& io, const std::vector<std::string>& paths, const ReaderOptions& options)
        : QueuedReader(io, paths, options), pool_(options.pread_threads == 0 ? 1 : options.pread_threads)
    {
    }

    ~PreadReader() override
    {
        *alive_ = false;
        pool_.join(); // every pread has returned: no buffer is still being written
    }

    std::string_view backend_name() const noexcept override { return "pread"; }

private:
    void pump() override
    {
        while (in_flight_ < core_.options.queue_depth) {
            Chunk* c = next_chunk();
            if (c == nullptr)
                return;
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
                    if (!*alive)
                        return;
                    --in_flight_;
                    core_.in_flight_changed(-1);
                    completed(*c, result);
                    pump();
                });
            });
        }
    }

    asio::thread_pool pool_;
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
