// A read-only file descriptor with exact positional reads. Errors name the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace edge_rt::io {

class File {
public:
    /// Opens `path` read-only; throws IoError naming the path and errno text.
    explicit File(const std::filesystem::path& path, int extra_flags = 0);
    ~File();
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    int fd() const noexcept { return fd_; }
    std::uint64_t size() const noexcept { return size_; }
    const std::string& path() const noexcept { return path_; }

    /// Reads exactly out.size() bytes at `offset`, retrying short reads and EINTR.
    /// Throws IoError on errors and on end of file before the range is complete.
    void read_exact(std::uint64_t offset, std::span<std::byte> out) const;

private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::string path_;
};

} // namespace edge_rt::io
