// Run-time detection of io_uring: the kernel may lack it (old kernels, qemu-user, which
// answers ENOSYS) or forbid it (seccomp, io_uring_disabled sysctl: EPERM).
#pragma once

#include <string>

namespace edge_rt::io {

struct UringSupport {
    bool available = false;
    std::string reason; // why not, when unavailable; empty otherwise
};

/// Sets up and tears down a small ring and checks the opcodes the reader needs.
/// Cheap enough to call at start-up; never throws.
UringSupport probe_io_uring() noexcept;

} // namespace edge_rt::io
