// Kept apart from other I/O code: <linux/stat.h> has the statx direct-I/O fields that glibc's
// struct statx lacks, and the two definitions cannot share a translation unit.
#include "io/direct_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace edge_rt::io {

DirectIoSupport probe_direct_io(const std::string& path) noexcept
{
    DirectIoSupport s;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
    if (fd < 0) {
        s.reason = std::string("O_DIRECT open failed: ") + std::strerror(errno);
        return s;
    }
    ::close(fd);
    s.supported = true;
#ifdef STATX_DIOALIGN
    struct statx stx {};
    if (::syscall(SYS_statx, AT_FDCWD, path.c_str(), 0, STATX_DIOALIGN, &stx) == 0 &&
        (stx.stx_mask & STATX_DIOALIGN) != 0) {
        if (stx.stx_dio_mem_align == 0 || stx.stx_dio_offset_align == 0) {
            s.supported = false;
            s.reason = "the file system does not support direct I/O for this file";
            return s;
        }
        // Never align below a page: pool buffers are page-aligned anyway.
        s.memory_alignment = std::max<std::uint32_t>(stx.stx_dio_mem_align, 4096);
        s.offset_alignment = std::max<std::uint32_t>(stx.stx_dio_offset_align, 4096);
    }
#endif
    return s;
}

} // namespace edge_rt::io
