// What both WeightReader backends share: the open files, splitting ranges into chunks, deciding
// direct or buffered per chunk, and turning a completion result into done / retry / failed.
// All of it runs on the io_context's thread, so it needs no locks.
#pragma once

#include "io/direct_io.hpp"
#include "io/file.hpp"
#include "io/reader.hpp"

#include "exec/event.hpp"
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <vector>

namespace edge_rt::io {

struct OpenFile {
    File buffered;
    int direct_fd = -1; // -1 when O_DIRECT is off or unusable for this file
    DirectIoSupport dio;
};

struct Batch;

/// One read request: a piece of a range, at most chunk_bytes long.
struct Chunk {
    Batch* batch = nullptr;
    std::uint32_t file = 0;
    std::uint64_t offset = 0;
    std::byte* dest = nullptr;
    std::size_t len = 0;
    bool direct = false;
};

/// One read() call: its chunks, how many are unfinished, the first error, and the event the
/// awaiting coroutine sleeps on.
struct Batch {
    explicit Batch(asio::io_context& io) : done(io.get_executor()) {}
    std::vector<Chunk> chunks;
    std::size_t unfinished = 0;
    std::exception_ptr error;
    exec::Event done; // set when the last chunk finished
};

class ReaderCore {
public:
    ReaderCore(asio::io_context& io, const std::vector<std::string>& paths, const ReaderOptions& options);
    ~ReaderCore();
    ReaderCore(const ReaderCore&) = delete;
    ReaderCore& operator=(const ReaderCore&) = delete;

    /// Validates the ranges and splits them into the batch's chunks. Throws IoError.
    void plan(Batch& batch, const std::vector<ReadRange>& ranges) const;

    enum class Outcome { Done, Retry, Failed };
    /// Acts on one completion (bytes read or -errno): advances short reads, zero-fills past
    /// the end of file, falls back from O_DIRECT, records errors in the batch.
    Outcome complete(Chunk& c, int result);
    /// Marks a chunk finished (done, failed or dropped); wakes the batch when it was the last.
    static void finish(Chunk& c);

    int fd_for(const Chunk& c) const;
    void in_flight_changed(int delta); // busy-time accounting
    bool any_direct() const noexcept;

    asio::io_context& io;
    ReaderOptions options;
    std::vector<OpenFile> files;
    ReaderStats stats;

private:
    unsigned in_flight_ = 0;
    std::chrono::steady_clock::time_point busy_since_;
};

/// Waits for the batch and rethrows its error.
asio::awaitable<void> wait_for(Batch& batch);

/// The part of both backends above the syscalls: read() queues a batch's chunks and waits;
/// a backend only starts queued chunks (pump) and reports each completion.
class QueuedReader : public WeightReader {
public:
    asio::awaitable<void> read(std::vector<ReadRange> ranges) final;
    bool direct_io() const noexcept final { return core_.any_direct(); }
    const ReaderStats& stats() const noexcept final { return core_.stats; }

protected:
    QueuedReader(asio::io_context& io, const std::vector<std::string>& paths, const ReaderOptions& options)
        : core_(io, paths, options)
    {
    }
    /// Starts queued chunks up to the queue depth.
    virtual void pump() = 0;
    /// The next queued chunk worth starting (those of an already failed batch are finished
    /// unstarted), or nullptr.
    Chunk* next_chunk();
    /// Retries, finishes or fails `c` after a completion; does not pump.
    void completed(Chunk& c, int result);

    ReaderCore core_;

private:
    std::deque<Chunk*> queue_;
};

} // namespace edge_rt::io
