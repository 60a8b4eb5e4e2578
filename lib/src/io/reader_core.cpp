#include "io/reader_core.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace edge_rt::io {

ReaderCore::ReaderCore(asio::io_context& io_ctx, const std::vector<std::string>& paths,
                       const ReaderOptions& opts)
    : io(io_ctx), options(opts)
{
    if (options.queue_depth == 0 || options.chunk_bytes < 4096)
        throw ConfigError(fmt::format("reader queue depth must be >= 1 and chunk size >= 4096 (got {}, {})",
                                      options.queue_depth, options.chunk_bytes));
    options.chunk_bytes -= options.chunk_bytes % 4096; // keeps direct chunks aligned
    files.reserve(paths.size());
    for (const auto& p : paths) {
        OpenFile f{File(p), -1, {}};
        if (options.direct_io) {
            f.dio = probe_direct_io(p);
            if (f.dio.supported)
                f.direct_fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
        }
        files.push_back(std::move(f));
    }
    if (options.hang && ::pipe2(hang_pipe_, O_CLOEXEC) != 0)
        throw IoError(fmt::format("reader test hook: pipe failed: {}", std::strerror(errno)));
}

ReaderCore::~ReaderCore()
{
    for (auto& f : files)
        if (f.direct_fd >= 0)
            ::close(f.direct_fd);
    end_hangs();
    if (hang_pipe_[0] >= 0)
        ::close(hang_pipe_[0]);
}

void ReaderCore::end_hangs() noexcept
{
    if (hang_pipe_[1] >= 0)
        ::close(hang_pipe_[1]);
    hang_pipe_[1] = -1;
}

void ReaderCore::time_out(Chunk& c)
{
    c.timed_out = true;
    if (!c.batch->error)
        c.batch->error = std::make_exception_ptr(IoError(fmt::format(
            "{}: read of {} bytes at offset {} timed out after {:g} s", files[c.file].buffered.path(), c.len,
            c.offset, std::chrono::duration<double>(options.read_timeout).count())));
}

bool ReaderCore::any_direct() const noexcept
{
    for (const auto& f : files)
        if (f.direct_fd >= 0)
            return true;
    return false;
}

void ReaderCore::plan(Batch& batch, const std::vector<ReadRange>& ranges) const
{
    for (const auto& r : ranges) {
        if (r.file >= files.size())
            throw IoError(fmt::format("read names file #{}, but the reader has {} files", r.file, files.size()));
        const OpenFile& f = files[r.file];
        if (r.offset > f.buffered.size())
            throw IoError(fmt::format("{}: read at offset {} is past the end of the file ({} bytes)",
                                      f.buffered.path(), r.offset, f.buffered.size()));
        for (std::size_t done = 0; done < r.dest.size();) {
            Chunk c{&batch, r.file, r.offset + done, r.dest.data() + done,
                    std::min(options.chunk_bytes, r.dest.size() - done), false, false, {}};
            const auto a = f.dio;
            c.direct = f.direct_fd >= 0 && c.offset % a.offset_alignment == 0 &&
                       c.len % a.offset_alignment == 0 &&
                       reinterpret_cast<std::uintptr_t>(c.dest) % a.memory_alignment == 0;
            batch.chunks.push_back(c);
            done += c.len;
        }
    }
    batch.unfinished = batch.chunks.size();
}

int ReaderCore::fd_for(const Chunk& c) const
{
    return c.direct ? files[c.file].direct_fd : files[c.file].buffered.fd();
}

void ReaderCore::in_flight_changed(int delta)
{
    const auto now = std::chrono::steady_clock::now();
    if (in_flight_ == 0 && delta > 0)
        busy_since_ = now;
    in_flight_ = static_cast<unsigned>(static_cast<int>(in_flight_) + delta);
    if (in_flight_ == 0 && delta < 0)
        stats.busy_ms += std::chrono::duration<double, std::milli>(now - busy_since_).count();
}

namespace {
std::uint64_t current_size(const File& f)
{
    struct stat st {};
    return ::fstat(f.fd(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}
} // namespace

ReaderCore::Outcome ReaderCore::complete(Chunk& c, int result)
{
    if (c.timed_out) // cancelled, or late: the batch has failed with the timeout already
        return Outcome::Failed;
    if (options.fault)
        result = options.fault(c.file, c.offset, c.len, result);
    const File& file = files[c.file].buffered;
    if (result == -EAGAIN || result == -EINTR) {
        ++stats.retries;
        return Outcome::Retry;
    }
    if (result == -EINVAL && c.direct) { // the file system refused this direct read
        c.direct = false;
        ++stats.retries;
        return Outcome::Retry;
    }
    if (result < 0) {
        if (!c.batch->error)
            c.batch->error = std::make_exception_ptr(IoError(fmt::format(
                "{}: read of {} bytes at offset {} failed: {}", file.path(), c.len, c.offset,
                std::strerror(-result))));
        return Outcome::Failed;
    }
    const auto n = static_cast<std::size_t>(result);
    stats.bytes += n;
    if (c.direct)
        stats.direct_bytes += n;
    c.offset += n;
    c.dest += n;
    c.len -= n;
    if (c.len == 0)
        return Outcome::Done;
    if (c.offset >= file.size()) { // the rest lies past the end of the file
        std::memset(c.dest, 0, c.len);
        return Outcome::Done;
    }
    if (n == 0) {
        if (!c.batch->error)
            c.batch->error = std::make_exception_ptr(IoError(fmt::format(
                "{}: unexpected end of file at offset {}: the file is now {} bytes, it was {} when opened",
                file.path(), c.offset, current_size(file), file.size())));
        return Outcome::Failed;
    }
    ++stats.retries; // a short read: ask again for the rest
    if (c.direct && (c.offset % files[c.file].dio.offset_alignment != 0 || c.len % files[c.file].dio.offset_alignment != 0))
        c.direct = false;
    return Outcome::Retry;
}

void ReaderCore::finish(Chunk& c)
{
    Batch& b = *c.batch;
    if (--b.unfinished == 0)
        b.done.set();
}

asio::awaitable<void> QueuedReader::read(std::vector<ReadRange> ranges)
{
    Batch batch(core_.io);
    core_.plan(batch, ranges);
    std::size_t bytes = 0;
    for (const auto& c : batch.chunks)
        bytes += c.len;
    // A small read (embedding rows the compute waits for now) goes ahead of queued group reads
    // (prefetches of tens of MiB): it then waits only for the reads already in flight.
    const auto at = bytes <= core_.options.chunk_bytes ? queue_.begin() : queue_.end();
    std::vector<Chunk*> chunks;
    for (auto& c : batch.chunks)
        chunks.push_back(&c);
    queue_.insert(at, chunks.begin(), chunks.end());
    pump();
    co_await wait_for(batch);
}

Chunk* QueuedReader::next_chunk()
{
    while (!queue_.empty()) {
        Chunk* c = queue_.front();
        queue_.pop_front();
        if (!c->batch->error)
            return c;
        ReaderCore::finish(*c); // its batch already failed: do not start more of it
    }
    return nullptr;
}

void QueuedReader::completed(Chunk& c, int result)
{
    switch (core_.complete(c, result)) {
    case ReaderCore::Outcome::Retry: queue_.push_front(&c); break;
    case ReaderCore::Outcome::Done:
    case ReaderCore::Outcome::Failed: ReaderCore::finish(c); break;
    }
}

void QueuedReader::took_off(Chunk& c)
{
    c.started = std::chrono::steady_clock::now();
    flying_.push_back(&c);
    arm_watchdog();
}

void QueuedReader::landed(Chunk& c)
{
    const auto it = std::find(flying_.begin(), flying_.end(), &c);
    if (it != flying_.end()) {
        *it = flying_.back();
        flying_.pop_back();
    }
    if (flying_.empty() && watching_)
        watchdog_.cancel(); // an idle reader leaves nothing pending on the io_context
}

Chunk* QueuedReader::first_expired() const
{
    const auto now = std::chrono::steady_clock::now();
    for (Chunk* c : flying_)
        if (!c->timed_out && now - c->started >= core_.options.read_timeout)
            return c;
    return nullptr;
}

// One timer for every request in flight, set to the earliest deadline of those not timed out.
void QueuedReader::arm_watchdog()
{
    if (watching_ || core_.options.read_timeout.count() <= 0)
        return;
    auto earliest = std::chrono::steady_clock::time_point::max();
    for (const Chunk* c : flying_)
        if (!c->timed_out)
            earliest = std::min(earliest, c->started);
    if (earliest == std::chrono::steady_clock::time_point::max())
        return;
    watching_ = true;
    watchdog_.expires_at(earliest + core_.options.read_timeout);
    watchdog_.async_wait([this, alive = watching_alive_](const std::error_code& ec) {
        if (!*alive)
            return;
        watching_ = false;
        if (!ec)
            while (Chunk* c = first_expired()) {
                core_.time_out(*c);
                on_timeout(*c);
            }
        arm_watchdog();
    });
}

asio::awaitable<void> wait_for(Batch& batch)
{
    if (batch.unfinished > 0)
        co_await batch.done.wait();
    if (batch.error)
        std::rethrow_exception(batch.error);
}

} // namespace edge_rt::io
