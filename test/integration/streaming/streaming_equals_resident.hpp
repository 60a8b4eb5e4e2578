// "Streaming equals resident" for one I/O backend: shared by the pread binary and the
// io_uring binary (which skips with 77 where io_uring is missing).
#pragma once

#include "io/reader.hpp"

#include <filesystem>
#include <vector>

namespace edge_rt::test {

/// Every streaming model × every strategy with a quarter budget on `backend`: the same greedy
/// ids and bit-identical logits as the fully resident run.
void expect_streaming_equals_resident(io::IoBackend backend);
/// The same for `models`.
void expect_streaming_equals_resident(io::IoBackend backend, const std::vector<std::filesystem::path>& models);

} // namespace edge_rt::test
