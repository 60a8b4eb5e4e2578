// probe_read_bandwidth: a file to read (the model, or a temporary one written for the probe),
// timed through edge_rt::time_sequential_read.
#include "io_probe.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/system.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace edge_rt::tools {
namespace {

constexpr std::size_t kChunk = 32u << 20;      // bytes per write() call
constexpr std::uint64_t kMaxProbe = 1ull << 30; // enough for a stable number

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

IoProbeResult timed_read(const fs::path& file, std::uint64_t bytes)
{
    const ReadTiming t = time_sequential_read(file, bytes);
    IoProbeResult r;
    r.file = file.string();
    r.bytes = t.bytes;
    r.seconds = t.seconds;
    r.direct = t.direct;
    r.backend = t.backend;
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

} // namespace edge_rt::tools
