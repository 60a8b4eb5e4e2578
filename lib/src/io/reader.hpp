// WeightReader: reads byte ranges of model files into caller-owned (pool) buffers, many reads
// in flight, completing on the io_context. Two backends behind one interface: io_uring (with
// completions delivered through an eventfd registered on the io_context) and a pread thread
// pool, chosen automatically when io_uring is unavailable (qemu-user, seccomp) or on request.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::io {

enum class IoBackend { Auto, Uring, Pread };

std::string_view to_string(IoBackend b) noexcept;
/// "auto", "uring", "pread"; throws ConfigError naming the value otherwise.
IoBackend parse_io_backend(std::string_view s);

struct ReaderOptions {
    IoBackend backend = IoBackend::Auto;
    bool direct_io = true;            // O_DIRECT where the file system and the alignment allow
    unsigned queue_depth = 32;        // reads in flight at once
    std::size_t chunk_bytes = 1u << 20; // one read request covers at most this much
    unsigned pread_threads = 4;       // pread backend only
    /// Tests only: sees every completed read's result (bytes, or -errno) and returns the one
    /// to act on, to inject EIO, EAGAIN and short reads.
    std::function<int(std::uint32_t file, std::uint64_t offset, std::size_t len, int result)> fault;
    /// Tests only (pread backend): runs on the worker thread before each pread, e.g. to sleep
    /// and so give the storage a known latency.
    std::function<void(std::size_t len)> before_pread;
    /// A read request (one chunk) that has not completed after this long ends its read() with
    /// an IoError "<file>: read of N bytes at offset O timed out after S s"; zero waits forever.
    /// io_uring cancels the request and gives the buffer back only once the kernel confirmed;
    /// a pread cannot be interrupted, so that backend refuses every read until the stuck
    /// thread has returned (docs/robustness.md, "Storage faults").
    std::chrono::milliseconds read_timeout{30'000};
    /// Tests only: a read for which it returns true never completes by itself (it reads from a
    /// pipe nothing writes to, until the reader is destroyed): read_timeout is what ends it.
    std::function<bool(std::uint32_t file, std::uint64_t offset, std::size_t len)> hang;
};

/// `dest.size()` bytes of file `file` starting at `offset`. Bytes past the end of the file
/// (a range aligned outward for O_DIRECT) are filled with zeros.
struct ReadRange {
    std::uint32_t file = 0;
    std::uint64_t offset = 0;
    std::span<std::byte> dest;
};

struct ReaderStats {
    std::uint64_t bytes = 0;        // bytes delivered
    std::uint64_t direct_bytes = 0; // of which read with O_DIRECT
    std::uint64_t requests = 0;     // read requests issued (chunks, retries included)
    std::uint64_t retries = 0;      // EAGAIN/EINTR, short reads, O_DIRECT refusals
    double busy_ms = 0;             // wall time with at least one read in flight
};

class WeightReader {
public:
    virtual ~WeightReader() = default;

    /// Reads every range; several read() calls may be in flight at once. Must be awaited on the
    /// io_context the reader was opened with. Throws IoError naming the file, the offset and
    /// the cause (after every read it started has completed, so no buffer is still being
    /// written; a timed-out pread is the exception, see read_timeout). Cancellation: none;
    /// callers stop at a group boundary.
    virtual asio::awaitable<void> read(std::vector<ReadRange> ranges) = 0;

    virtual std::string_view backend_name() const noexcept = 0;
    /// True when at least one file is read with O_DIRECT.
    virtual bool direct_io() const noexcept = 0;
    virtual const ReaderStats& stats() const noexcept = 0;
    /// io_uring: registers long-lived buffers (the prefetch slots) so reads into them skip the
    /// per-request page pinning. Other backends ignore it.
    virtual void register_buffers(std::span<const std::span<std::byte>> buffers) { (void)buffers; }
    /// Reads that timed out but may still write into their buffers (pread threads blocked in
    /// the kernel): while non-zero, no buffer the reader was given may be freed.
    virtual unsigned abandoned_reads() const noexcept { return 0; }
};

/// Opens `paths` (buffered, and O_DIRECT where possible) and the chosen backend. Throws IoError
/// for unreadable files, ConfigError when `uring` is asked for but unavailable (with the reason).
std::unique_ptr<WeightReader> open_reader(asio::io_context& io, const std::vector<std::string>& paths,
                                          const ReaderOptions& options);

} // namespace edge_rt::io
