#include "uring_read.hpp"

#include "edge_rt/error.hpp"

#include <cstring>
#include <fmt/format.h>

#ifdef EDGE_RT_HAVE_LIBURING
#include <liburing.h>
#endif

namespace edge_rt::tools {

#ifdef EDGE_RT_HAVE_LIBURING
namespace {

struct Ring {
    io_uring ring{};
    explicit Ring(const std::string& path)
    {
        if (const int rc = io_uring_queue_init(8, &ring, 0); rc < 0)
            throw IoError(fmt::format("{}: io_uring setup failed: {}", path, std::strerror(-rc)));
    }
    ~Ring() { io_uring_queue_exit(&ring); }
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
};

} // namespace

void uring_read_exact(int fd, const std::string& path, std::uint64_t offset, std::span<std::byte> out)
{
    Ring r(path);
    std::size_t done = 0;
    while (done < out.size()) {
        io_uring_sqe* sqe = io_uring_get_sqe(&r.ring);
        const auto want = static_cast<unsigned>(std::min<std::size_t>(out.size() - done, 1u << 30));
        io_uring_prep_read(sqe, fd, out.data() + done, want, offset + done);
        if (const int rc = io_uring_submit(&r.ring); rc < 0)
            throw IoError(fmt::format("{}: io_uring submit failed: {}", path, std::strerror(-rc)));
        io_uring_cqe* cqe = nullptr;
        if (const int rc = io_uring_wait_cqe(&r.ring, &cqe); rc < 0)
            throw IoError(fmt::format("{}: io_uring wait failed: {}", path, std::strerror(-rc)));
        const int res = cqe->res;
        io_uring_cqe_seen(&r.ring, cqe);
        if (res == -EAGAIN || res == -EINTR)
            continue;
        if (res < 0)
            throw IoError(fmt::format("{}: read of {} bytes at offset {} failed: {}", path,
                                      want, offset + done, std::strerror(-res)));
        if (res == 0)
            throw IoError(fmt::format("{}: unexpected end of file at offset {}", path,
                                      offset + done));
        done += static_cast<std::size_t>(res); // a short read is re-queued for the rest
    }
}

#else

void uring_read_exact(int, const std::string& path, std::uint64_t, std::span<std::byte>)
{
    throw IoError(fmt::format("{}: this build has no io_uring backend", path));
}

#endif

} // namespace edge_rt::tools
