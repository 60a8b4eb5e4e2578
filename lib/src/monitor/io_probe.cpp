#include "monitor/io_probe.hpp"

#include "edge_rt/error.hpp"
#include "io/reader.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace edge_rt::monitor {
namespace {

constexpr std::size_t kChunk = 32u << 20;      // bytes per read() call (a large group's size)
constexpr std::uint64_t kMaxProbe = 1ull << 30; // enough for a stable number

struct FreeDeleter {
    void operator()(std::byte* p) const { std::free(p); }
};

// A file of `bytes` incompressible bytes, flushed to the device and dropped from the page cache.
void write_probe_file(const fs::path& path, std::uint64_t bytes)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw IoError(fmt::format("{}: cannot create the probe file: {}", path.string(), std::strerror(errno)));
    std::vector<std::uint64_t> block(kChunk / 8);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t done = 0; done < bytes;) {
        for (auto& v : block) // xorshift: the file system cannot compress or dedupe it
            v = (x ^= x << 13, x ^= x >> 7, x ^= x << 17);
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bytes - done));
        const auto w = ::write(fd, block.data(), n);
        if (w <= 0) {
            const int e = errno;
            ::close(fd);
            throw IoError(fmt::format("{}: writing the probe file failed: {}", path.string(), std::strerror(e)));
        }
        done += static_cast<std::uint64_t>(w);
    }
    ::fsync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

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

IoProbeResult timed_read(const fs::path& file, std::uint64_t bytes)
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
    IoProbeResult r;
    r.file = file.string();
    r.bytes = bytes;
    r.seconds = secs;
    r.direct = reader->direct_io();
    r.backend = std::string(reader->backend_name());
    return r;
}

} // namespace

IoProbeResult probe_read_bandwidth(const fs::path& target, std::uint64_t min_bytes)
{
    std::error_code ec;
    if (fs::is_regular_file(target, ec) && fs::file_size(target, ec) >= min_bytes && !ec) {
        const auto size = fs::file_size(target);
        return timed_read(target, std::min(size, kMaxProbe) / 4096 * 4096);
    }
    const fs::path dir = fs::is_directory(target, ec) ? target
                         : target.has_parent_path()   ? target.parent_path()
                                                      : fs::path(".");
    if (!fs::is_directory(dir, ec))
        throw IoError(fmt::format("{}: no such folder to probe", dir.string()));
    const fs::path tmp = dir / fmt::format(".edge-rt-io-probe-{}", ::getpid());
    try {
        write_probe_file(tmp, min_bytes);
        auto r = timed_read(tmp, min_bytes / 4096 * 4096);
        r.temporary = true;
        fs::remove(tmp, ec);
        return r;
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
}

} // namespace edge_rt::monitor
