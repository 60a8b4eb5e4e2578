// A blocking io_uring read of one range: the direct check that the kernel's io_uring path
// returns the file's bytes (test/io) and the baseline of the read benchmark (bench/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace edge_rt::tools {

/// Reads exactly out.size() bytes at `offset` of the open file `fd` through a private io_uring,
/// re-queueing short reads. Throws IoError naming `path` when io_uring is unavailable or the
/// read fails.
void uring_read_exact(int fd, const std::string& path, std::uint64_t offset, std::span<std::byte> out);

} // namespace edge_rt::tools
