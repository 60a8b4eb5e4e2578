// A heap buffer aligned to 4 KiB (page and O_DIRECT sector alignment), owned uniquely.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <span>

namespace edge_rt::runtime {

class AlignedBuffer {
public:
    static constexpr std::size_t kAlignment = 4096;

    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t bytes)
        : data_(static_cast<std::byte*>(::operator new(bytes == 0 ? 1 : bytes, std::align_val_t{kAlignment}))),
          size_(bytes)
    {
    }

    std::byte* data() noexcept { return data_.get(); }
    const std::byte* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::span<std::byte> bytes() noexcept { return {data_.get(), size_}; }

private:
    struct Free {
        void operator()(std::byte* p) const noexcept { ::operator delete(p, std::align_val_t{kAlignment}); }
    };
    std::unique_ptr<std::byte, Free> data_;
    std::size_t size_ = 0;
};

} // namespace edge_rt::runtime
