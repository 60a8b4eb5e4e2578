// A real failing device for the storage-fault tests: a FUSE file system, spoken over
// /dev/fuse by a thread of the test (no libfuse), that serves one file with the bytes of a
// source file and fails, shortens or holds the reads the test asks for. The reader under test
// then meets EIO, short reads and reads that never complete from the kernel, through the
// same pread and io_uring calls as on a disk, not through a hook in the reader.
//
// The file is opened with FOPEN_DIRECT_IO, so every read reaches the server (no page cache),
// split into requests of at most 128 KiB. Mounting needs root and /dev/fuse: FuseFile::mount
// returns nullptr (with the reason) where it cannot, and the test skips.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace edge_rt::test {

class FuseFile {
public:
    /// Mounts a file system at a new folder under `dir` serving `source`'s bytes as
    /// path().filename() == source.filename(). nullptr and `why` when it cannot mount here.
    static std::unique_ptr<FuseFile> mount(const std::filesystem::path& source, const std::filesystem::path& dir,
                                           std::string& why);
    ~FuseFile(); // releases a held read, unmounts, joins the server

    FuseFile(const FuseFile&) = delete;
    FuseFile& operator=(const FuseFile&) = delete;

    /// The served file.
    std::filesystem::path path() const { return mountpoint_ / name_; }

    /// The `n`th read request from now (0: the next) fails with EIO; -1 disarms.
    void fail_request(int n) { fail_countdown_ = n; }
    /// The next `n` read requests return half of the bytes asked for (a short read).
    void shorten_requests(int n) { short_left_ = n; }
    /// The `n`th read request from now gets no answer until release() or until the kernel
    /// interrupts it (then EINTR); -1 disarms.
    void hold_request(int n) { hold_countdown_ = n; }
    /// Answers a held read with its bytes.
    void release();

    /// Read requests served so far, and how many failed, were shortened, were held.
    std::uint64_t reads() const { return reads_; }
    std::uint64_t failed() const { return failed_; }
    std::uint64_t shortened() const { return shortened_; }
    std::uint64_t held() const { return held_; }
    std::uint64_t interrupted() const { return interrupted_; }

private:
    FuseFile(int fuse_fd, int source_fd, std::uint64_t size, std::filesystem::path mountpoint, std::string name);
    void serve();
    void handle(const std::uint8_t* request, std::size_t size);
    void handle_read(std::uint64_t unique, const void* in);
    void reply(std::uint64_t unique, int error, const void* data, std::size_t size);
    void reply_read(std::uint64_t unique, std::uint64_t offset, std::uint32_t size);

    int fuse_fd_;
    int source_fd_;
    std::uint64_t size_;
    std::filesystem::path mountpoint_;
    std::string name_;
    std::atomic<int> fail_countdown_{-1}, short_left_{0}, hold_countdown_{-1};
    std::atomic<std::uint64_t> reads_{0}, failed_{0}, shortened_{0}, held_{0}, interrupted_{0};
    int stop_fd_; // an eventfd: the destructor's signal to the server
    std::mutex mutex_;       // guards the held read
    std::mutex write_mutex_; // one reply at a time on /dev/fuse
    std::uint64_t held_unique_ = 0, held_offset_ = 0;
    std::uint32_t held_size_ = 0;
    std::thread server_;
};

} // namespace edge_rt::test
