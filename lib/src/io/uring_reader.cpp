// The io_uring backend: chunks are submitted as SQEs up to the queue depth; the ring's eventfd
// is watched by the io_context, which drains completions and refills the queue.
#include "io/reader_backends.hpp"

#ifdef EDGE_RT_HAVE_LIBURING

#include "edge_rt/error.hpp"
#include "io/reader_core.hpp"

#include <asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

namespace edge_rt::io {
namespace {

class UringReader final : public QueuedReader {
public:
    UringReader(asio::io_context& io, const std::vector<std::string>& paths, const ReaderOptions& options)
        : QueuedReader(io, paths, options), events_(io)
    {
        if (const int rc = io_uring_queue_init(core_.options.queue_depth, &ring_, 0); rc < 0)
            throw IoError(fmt::format("io_uring setup failed: {}", std::strerror(-rc)));
        const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0 || io_uring_register_eventfd(&ring_, efd) < 0) {
            const int err = errno;
            if (efd >= 0)
                ::close(efd);
            io_uring_queue_exit(&ring_);
            throw IoError(fmt::format("io_uring eventfd registration failed: {}", std::strerror(err)));
        }
        events_.assign(efd);
    }

    ~UringReader() override
    {
        *alive_ = false;
        core_.end_hangs(); // the test hook's hung reads return
        // Buffers belong to callers: never leave the kernel writing into them.
        while (in_flight_ > 0) {
            io_uring_cqe* cqe = nullptr;
            if (io_uring_wait_cqe(&ring_, &cqe) < 0)
                break;
            const bool read = io_uring_cqe_get_data(cqe) != nullptr; // not a cancellation's own
            io_uring_cqe_seen(&ring_, cqe);
            in_flight_ -= read ? 1 : 0;
        }
        std::error_code ignored;
        events_.close(ignored);
        io_uring_queue_exit(&ring_);
    }

    std::string_view backend_name() const noexcept override { return "uring"; }

    void register_buffers(std::span<const std::span<std::byte>> buffers) override
    {
        std::vector<iovec> iov;
        for (const auto& b : buffers)
            iov.push_back({b.data(), b.size()});
        if (!registered_.empty())
            io_uring_unregister_buffers(&ring_);
        registered_.clear();
        if (!iov.empty() && io_uring_register_buffers(&ring_, iov.data(), static_cast<unsigned>(iov.size())) == 0)
            registered_.assign(buffers.begin(), buffers.end());
        // Registration can fail (RLIMIT_MEMLOCK): plain reads still work, just with more overhead.
    }

private:
    // Index of the registered buffer that holds the chunk's destination, or -1.
    int fixed_index(const Chunk& c) const
    {
        for (std::size_t i = 0; i < registered_.size(); ++i) {
            const auto& b = registered_[i];
            if (c.dest >= b.data() && c.dest + c.len <= b.data() + b.size())
                return static_cast<int>(i);
        }
        return -1;
    }

    // Never throws: it runs inside the eventfd handler, where an exception would escape
    // io_context::run(). A failure goes to the batches it concerns, whose read() rethrows it.
    void pump() override
    {
        if (broken_) {
            while (Chunk* c = next_chunk())
                fail(*c, broken_);
            return;
        }
        std::vector<Chunk*> prepared_chunks;
        unsigned prepared = 0;
        while (in_flight_ + prepared < core_.options.queue_depth) {
            Chunk* c = next_chunk();
            if (c == nullptr)
                break;
            prepare(*c);
            prepared_chunks.push_back(c);
            ++prepared;
        }
        if (prepared == 0)
            return;
        const int rc = io_uring_submit(&ring_);
        const unsigned submitted = rc > 0 ? static_cast<unsigned>(rc) : 0;
        core_.stats.requests += submitted;
        in_flight_ += submitted;
        core_.in_flight_changed(static_cast<int>(submitted));
        for (unsigned i = 0; i < submitted; ++i)
            took_off(*prepared_chunks[i]);
        if (submitted < prepared) { // cannot happen with a healthy ring; fail loudly, never hang
            // The unsubmitted SQEs stay in the ring, so it is never submitted to again: their
            // chunks and every later one fail with this error.
            broken_ = std::make_exception_ptr(IoError(fmt::format("io_uring submit accepted {} of {} reads: {}",
                                                                  submitted, prepared,
                                                                  rc < 0 ? std::strerror(-rc) : "short submit")));
            for (std::size_t i = submitted; i < prepared_chunks.size(); ++i)
                fail(*prepared_chunks[i], broken_);
            while (Chunk* c = next_chunk())
                fail(*c, broken_);
        }
        arm();
    }

    void prepare(Chunk& c)
    {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
        const auto len = static_cast<unsigned>(c.len);
        if (core_.options.hang && core_.options.hang(c.file, c.offset, c.len))
            io_uring_prep_read(sqe, core_.hang_fd(), c.dest, len, 0); // a pipe nothing writes to
        else if (const int idx = fixed_index(c); idx >= 0)
            io_uring_prep_read_fixed(sqe, core_.fd_for(c), c.dest, len, c.offset, idx);
        else
            io_uring_prep_read(sqe, core_.fd_for(c), c.dest, len, c.offset);
        io_uring_sqe_set_data(sqe, &c);
    }

    // Asks the kernel to cancel the request. Its completion (-ECANCELED, or the read's own
    // result if it finished first) still arrives through drain(), and only then is the chunk
    // finished and its buffer given back: the kernel never writes into a released buffer.
    void on_timeout(Chunk& c) override
    {
        io_uring_sqe* sqe = broken_ ? nullptr : io_uring_get_sqe(&ring_);
        if (sqe == nullptr)
            return; // (cannot happen: every prepared SQE was submitted) the read's own end is awaited
        io_uring_prep_cancel(sqe, &c, 0);
        io_uring_sqe_set_data(sqe, nullptr); // the cancellation's own completion is ignored
        io_uring_submit(&ring_);
        arm();
    }

    // Watches the eventfd only while reads are in flight, so an idle reader keeps no work
    // pending on the io_context and run() can return.
    void arm()
    {
        if (armed_ || in_flight_ == 0)
            return;
        armed_ = true;
        events_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [this, alive = alive_](const std::error_code& ec) {
                               if (!*alive)
                                   return;
                               armed_ = false;
                               if (!ec)
                                   drain();
                           });
    }

    void drain()
    {
        std::uint64_t count = 0;
        [[maybe_unused]] auto n = ::read(events_.native_handle(), &count, sizeof count);
        io_uring_cqe* cqe = nullptr;
        while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
            auto* c = static_cast<Chunk*>(io_uring_cqe_get_data(cqe));
            const int res = cqe->res;
            io_uring_cqe_seen(&ring_, cqe);
            if (c == nullptr) // a cancellation's own completion
                continue;
            --in_flight_;
            core_.in_flight_changed(-1);
            landed(*c);
            completed(*c, res);
        }
        pump();
        arm();
    }

    static void fail(Chunk& c, const std::exception_ptr& error)
    {
        if (!c.batch->error)
            c.batch->error = error;
        ReaderCore::finish(c);
    }

    io_uring ring_{};
    std::exception_ptr broken_; // set when the ring stopped accepting submissions
    asio::posix::stream_descriptor events_;
    unsigned in_flight_ = 0;
    bool armed_ = false;
    std::vector<std::span<std::byte>> registered_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace

std::unique_ptr<WeightReader> make_uring_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                                const ReaderOptions& options)
{
    return std::make_unique<UringReader>(io, paths, options);
}

} // namespace edge_rt::io

#else

#include "edge_rt/error.hpp"

namespace edge_rt::io {
std::unique_ptr<WeightReader> make_uring_reader(asio::io_context&, const std::vector<std::string>&,
                                                const ReaderOptions&)
{
    throw ConfigError("this build has no io_uring backend (liburing was not found at build time)");
}
} // namespace edge_rt::io

#endif
