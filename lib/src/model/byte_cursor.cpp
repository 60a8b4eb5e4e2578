#include "model/byte_cursor.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::model {

ByteCursor::ByteCursor(const io::File& file, std::size_t window) : file_(file), buf_(window) {}

void ByteCursor::truncated(const char* what, std::uint64_t need) const
{
    throw FormatError(fmt::format("{}: truncated: {} needs {} bytes at offset {}, file is {} bytes",
                                  file_.path(), what, need, pos_, file_.size()));
}

void ByteCursor::read_bytes(void* out, std::size_t n, const char* what)
{
    if (n > remaining())
        truncated(what, n);
    auto* dst = static_cast<std::byte*>(out);
    while (n > 0) {
        if (pos_ < buf_start_ || pos_ >= buf_start_ + buf_len_) {
            buf_start_ = pos_;
            buf_len_ = static_cast<std::size_t>(std::min<std::uint64_t>(buf_.size(), remaining()));
            file_.read_exact(buf_start_, {buf_.data(), buf_len_});
        }
        const std::size_t off = static_cast<std::size_t>(pos_ - buf_start_);
        const std::size_t take = std::min(n, buf_len_ - off);
        std::memcpy(dst, buf_.data() + off, take);
        dst += take;
        n -= take;
        pos_ += take;
    }
}

void ByteCursor::skip(std::uint64_t n, const char* what)
{
    if (n > remaining())
        truncated(what, n);
    pos_ += n;
}

std::string ByteCursor::read_string(const char* what, std::uint64_t max_len)
{
    const auto len = read<std::uint64_t>(what);
    if (len > remaining())
        truncated(what, len);
    if (len > max_len)
        throw FormatError(fmt::format("{}: {} at offset {} is {} bytes long, limit is {}",
                                      file_.path(), what, pos_ - 8, len, max_len));
    std::string s(static_cast<std::size_t>(len), '\0');
    read_bytes(s.data(), s.size(), what);
    return s;
}

} // namespace edge_rt::model
