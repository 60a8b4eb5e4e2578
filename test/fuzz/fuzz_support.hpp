// What the fuzz targets share: the input as a file the path-taking parsers can open (an
// anonymous in-memory file, so a campaign never touches the disk), and the rule for errors.
#pragma once

#include "edge_rt/error.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace edge_rt::fuzz {

/// `bytes` as a file named /proc/self/fd/N (a memfd); closed with the object.
class MemFile {
public:
    explicit MemFile(std::string_view bytes)
    {
        fd_ = ::memfd_create("fuzz-input", MFD_CLOEXEC);
        if (fd_ < 0)
            std::abort(); // the harness itself is broken: stop loudly, not as a finding
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n <= 0)
                std::abort();
            done += static_cast<std::size_t>(n);
        }
    }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() { ::close(fd_); }

    std::filesystem::path path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_ = -1;
};

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

/// Splits at the first `sep` (two files in one input); the second part is empty without one.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view s, std::string_view sep)
{
    const auto at = s.find(sep);
    if (at == std::string_view::npos)
        return {s, {}};
    return {s.substr(0, at), s.substr(at + sep.size())};
}

/// The separator of two-file inputs (vocab.json + merges.txt); listed in the dictionaries.
inline constexpr std::string_view kFileSeparator = "\n--8<--\n";

} // namespace edge_rt::fuzz
