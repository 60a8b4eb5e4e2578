// A blocking io_uring read of one range: the building block the streaming WeightReader
// batches, and the direct check that the kernel's io_uring path returns the file's bytes.
#pragma once

#include "io/file.hpp"

#include <cstdint>
#include <span>

namespace edge_rt::io {

/// Reads exactly out.size() bytes at `offset` through a private io_uring, re-queueing
/// short reads. Throws IoError when io_uring is unavailable or the read fails.
void uring_read_exact(const File& file, std::uint64_t offset, std::span<std::byte> out);

} // namespace edge_rt::io
