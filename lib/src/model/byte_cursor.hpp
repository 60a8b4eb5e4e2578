// Sequential little-endian reads from a file through a small window, with every read
// checked against the file size so a corrupt length can never cause a huge allocation.
#pragma once

#include "io/file.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace edge_rt::model {

class ByteCursor {
public:
    explicit ByteCursor(const io::File& file, std::size_t window = 1u << 16);

    std::uint64_t pos() const noexcept { return pos_; }
    std::uint64_t remaining() const noexcept { return file_.size() - pos_; }

    template <typename T>
    T read(const char* what)
    {
        T v;
        read_bytes(&v, sizeof v, what);
        return v; // GGUF and SafeTensors are little-endian, as are all supported hosts
    }

    /// A length-prefixed (u64) string; fails if the length exceeds `max_len` or the file.
    std::string read_string(const char* what, std::uint64_t max_len);

    void read_bytes(void* out, std::size_t n, const char* what);
    void skip(std::uint64_t n, const char* what);

    /// Throws FormatError "<file>: truncated: <what> needs N bytes at offset X, file is Y bytes".
    [[noreturn]] void truncated(const char* what, std::uint64_t need) const;

private:
    const io::File& file_;
    std::vector<std::byte> buf_;
    std::uint64_t buf_start_ = 0; // file offset of buf_[0]
    std::size_t buf_len_ = 0;
    std::uint64_t pos_ = 0;
};

} // namespace edge_rt::model
