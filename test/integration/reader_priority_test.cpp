// The reader serves a small read (embedding rows a forward pass waits for) before queued chunks
// of large group prefetches: found by the end-to-end benchmark, where the row read of each token
// queued behind two 45 MiB slot reads and held the pass up by hundreds of milliseconds.
#include "temp_dir.hpp"

#include "io/reader.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <mutex>
#include <numeric>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

asio::awaitable<void> read_into(io::WeightReader* reader, std::uint64_t offset, std::span<std::byte> dest)
{
    std::vector<io::ReadRange> ranges(1);
    ranges[0].offset = offset;
    ranges[0].dest = dest;
    co_await reader->read(std::move(ranges));
}

} // namespace

TEST(ReaderPriority, ASmallReadOvertakesQueuedChunksOfALargeOne)
{
    TempDir dir;
    std::vector<std::uint8_t> bytes(64 * 1024);
    std::iota(bytes.begin(), bytes.end(), std::uint8_t{0});
    const auto path = dir.write("weights.bin", bytes);

    std::mutex m;
    std::vector<std::size_t> order; // the length of each pread, in the order they ran
    io::ReaderOptions options;
    options.backend = io::IoBackend::Pread; // one worker and one read in flight: a strict order
    options.pread_threads = 1;
    options.queue_depth = 1;
    options.chunk_bytes = 4096;
    options.direct_io = false;
    options.before_pread = [&](std::size_t len) {
        std::lock_guard lock(m);
        order.push_back(len);
    };
    asio::io_context io;
    auto reader = io::open_reader(io, {path.string()}, options);
    std::vector<std::byte> big(8 * 4096), small(100);
    asio::co_spawn(io, read_into(reader.get(), 0, big), [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    asio::co_spawn(io, read_into(reader.get(), 40000, small), [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    io.run();

    // The first chunk of the large read was already in flight; the small one comes next.
    const std::vector<std::size_t> want{4096, 100, 4096, 4096, 4096, 4096, 4096, 4096, 4096};
    EXPECT_EQ(order, want);
    EXPECT_EQ(static_cast<std::uint8_t>(small[0]), bytes[40000]);
    EXPECT_EQ(static_cast<std::uint8_t>(small[99]), bytes[40099]);
    EXPECT_EQ(static_cast<std::uint8_t>(big[5 * 4096 + 7]), bytes[5 * 4096 + 7]);
}
