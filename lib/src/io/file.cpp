#include "io/file.hpp"

#include "edge_rt/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace edge_rt::io {

File::File(const std::filesystem::path& path, int extra_flags) : path_(path.string())
{
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | extra_flags);
    if (fd_ < 0)
        throw IoError(fmt::format("{}: cannot open: {}", path_, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(fd_);
        throw IoError(fmt::format("{}: cannot stat: {}", path_, std::strerror(err)));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd_);
        throw IoError(fmt::format("{}: is a directory, expected a file", path_));
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

File::~File()
{
    if (fd_ >= 0)
        ::close(fd_);
}

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_))
{
}

File& File::operator=(File&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
        path_ = std::move(other.path_);
    }
    return *this;
}

void File::read_exact(std::uint64_t offset, std::span<std::byte> out) const
{
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw IoError(fmt::format("{}: read of {} bytes at offset {} failed: {}", path_,
                                      out.size(), offset, std::strerror(errno)));
        }
        if (n == 0)
            throw IoError(fmt::format("{}: unexpected end of file at offset {} (wanted {} bytes)",
                                      path_, offset + done, out.size() - done));
        done += static_cast<std::size_t>(n);
    }
}

} // namespace edge_rt::io
