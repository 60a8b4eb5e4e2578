// time_sequential_read (edge_rt/system.hpp): the device's sequential read speed as the engine's
// own WeightReader achieves it, for `status --probe-io` and `bench --raw-read`.
#include "edge_rt/system.hpp"

#include "edge_rt/error.hpp"
#include "io/reader.hpp"

#include <asio/co_spawn.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fmt/format.h>
#include <memory>
#include <vector>

namespace edge_rt {
namespace {

constexpr std::size_t kChunk = 32u << 20; // bytes per read() call (a large group's size)

struct FreeDeleter {
    void operator()(std::byte* p) const { std::free(p); }
};

// One lane reads every `lanes`-th chunk, starting at chunk `lane`. A free function, not a
// lambda: its parameters live in the coroutine frame.
asio::awaitable<void> read_lane(io::WeightReader* reader, std::byte* buffer, std::uint64_t bytes, unsigned lane,
                                unsigned lanes)
{
    for (std::uint64_t at = std::uint64_t{lane} * kChunk; at < bytes; at += std::uint64_t{lanes} * kChunk) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bytes - at));
        std::vector<io::ReadRange> ranges(1); // (no braced list in a coroutine: GCC 12 rejects it)
        ranges[0].offset = at;
        ranges[0].dest = std::span(buffer, n);
        co_await reader->read(std::move(ranges));
    }
}

} // namespace

ReadTiming time_sequential_read(const std::filesystem::path& file, std::uint64_t bytes)
{
    asio::io_context io;
    io::ReaderOptions options;
    options.chunk_bytes = 1u << 20;
    auto reader = io::open_reader(io, {file.string()}, options);
    // Two lanes, as the engine's prefetch ring has: while one lane waits for the tail of its
    // batch, the other's reads keep the queue full, so the figure is the device's and not
    // one batch's round trips.
    constexpr unsigned kLanes = 2;
    std::unique_ptr<std::byte, FreeDeleter> buffers[kLanes];
    std::vector<std::span<std::byte>> spans;
    for (auto& b : buffers) {
        b.reset(static_cast<std::byte*>(std::aligned_alloc(4096, kChunk)));
        if (!b)
            throw IoError(fmt::format("{}: no memory for the probe's read buffers", file.string()));
        spans.emplace_back(b.get(), kChunk);
    }
    reader->register_buffers(spans); // as the engine does with its prefetch slots
    std::exception_ptr error;
    const auto start = std::chrono::steady_clock::now();
    for (unsigned lane = 0; lane < kLanes; ++lane)
        asio::co_spawn(io, read_lane(reader.get(), buffers[lane].get(), bytes, lane, kLanes),
                       [&](std::exception_ptr e) {
                           if (e && !error)
                               error = e;
                       });
    io.run();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (error)
        std::rethrow_exception(error);
    return ReadTiming{bytes, secs, reader->direct_io(), std::string(reader->backend_name())};
}

} // namespace edge_rt
