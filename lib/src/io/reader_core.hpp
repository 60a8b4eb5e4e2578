// What both WeightReader backends share: the open files, splitting ranges into chunks, deciding
// direct or buffered per chunk, and turning a completion result into done / retry / failed.
// All of it runs on the io_context's thread, so it needs no locks.
#pragma once

#include "io/direct_io.hpp"
#include "io/file.hpp"
#include "io/reader.hpp"

#include "exec/event.hpp"
#include <asio/steady_timer.hpp>
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
    bool timed_out = false; // its request outlived read_timeout: it fails whatever completes
    std::chrono::steady_clock::time_point started{};
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
    /// Tests only: the fd a chunk that options.hang picks reads from instead (a pipe's read end
    /// nothing writes to), and ending those reads (closing the write end: they return 0).
    int hang_fd() const noexcept { return hang_pipe_[0]; }
    void end_hangs() noexcept;
    /// Records the timeout error in the chunk's batch and marks it timed out.
    void time_out(Chunk& c);
    void in_flight_changed(int delta); // busy-time accounting
    bool any_direct() const noexcept;

    asio::io_context& io;
    ReaderOptions options;
    std::vector<OpenFile> files;
    ReaderStats stats;

private:
    unsigned in_flight_ = 0;
    std::chrono::steady_clock::time_point busy_since_;
    int hang_pipe_[2] = {-1, -1};
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
        : core_(io, paths, options), watchdog_(io)
    {
    }
    ~QueuedReader() override { *watching_alive_ = false; }
    /// Starts queued chunks up to the queue depth.
    virtual void pump() = 0;
    /// A backend calls these when a chunk's request starts and when its completion arrives:
    /// in between, the watchdog times it out after options.read_timeout.
    void took_off(Chunk& c);
    void landed(Chunk& c);
    /// What the backend does with a request that timed out (the batch already holds the error):
    /// cancel it (io_uring) or give up on it (pread).
    virtual void on_timeout(Chunk& c) = 0;
    /// The next queued chunk worth starting (those of an already failed batch are finished
    /// unstarted), or nullptr.
    Chunk* next_chunk();
    /// Retries, finishes or fails `c` after a completion; does not pump.
    void completed(Chunk& c, int result);

    ReaderCore core_;

private:
    void arm_watchdog();
    Chunk* first_expired() const;

    std::deque<Chunk*> queue_;
    std::vector<Chunk*> flying_; // requests started and not landed, timed out ones included
    asio::steady_timer watchdog_;
    bool watching_ = false;
    std::shared_ptr<bool> watching_alive_ = std::make_shared<bool>(true);
};

} // namespace edge_rt::io
