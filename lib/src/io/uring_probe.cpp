#include "io/uring_probe.hpp"

#include <cstring>
#include <fmt/format.h>

#ifdef EDGE_RT_HAVE_LIBURING
#include <liburing.h>
#endif

namespace edge_rt::io {

UringSupport probe_io_uring() noexcept
{
#ifdef EDGE_RT_HAVE_LIBURING
    try {
        io_uring ring{};
        const int rc = io_uring_queue_init(4, &ring, 0);
        if (rc < 0)
            return {false, fmt::format("io_uring_setup failed: {}", std::strerror(-rc))};
        io_uring_probe* probe = io_uring_get_probe_ring(&ring);
        UringSupport result{true, {}};
        if (probe == nullptr) {
            result = {false, "io_uring opcode probe is not supported by this kernel"};
        } else {
            if (!io_uring_opcode_supported(probe, IORING_OP_READ))
                result = {false, "io_uring lacks IORING_OP_READ (kernel older than 5.6)"};
            io_uring_free_probe(probe);
        }
        io_uring_queue_exit(&ring);
        return result;
    } catch (...) {
        return {false, "io_uring probe failed: out of memory"};
    }
#else
    return {false, "this build has no io_uring backend (liburing was not found at build time)"};
#endif
}

} // namespace edge_rt::io
