// Writes GGUF v3 files front to back: metadata and the tensor table first, then each tensor's
// data streamed in pieces, so a model larger than memory can be written. Offsets are computed
// up front from the declared shapes and types, each tensor starting on the alignment.
#pragma once

#include "model/gguf.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace edge_rt::model {

class GgufWriter {
public:
    /// Creates (truncates) `path`; throws IoError naming it when it cannot.
    explicit GgufWriter(const std::filesystem::path& path, std::uint32_t alignment = 32);
    ~GgufWriter();
    GgufWriter(const GgufWriter&) = delete;
    GgufWriter& operator=(const GgufWriter&) = delete;

    /// Metadata, written in the order added. general.alignment is added by the constructor.
    void add(std::string key, GgufValue value);
    /// Declares the next tensor (GGML shape order); data follows in declaration order.
    void add_tensor(std::string name, std::vector<std::uint64_t> shape, std::uint32_t dtype);

    /// Writes the header, the tensor table and the padding up to the data section.
    void write_header();
    /// Appends bytes of the current tensor; moving to the next happens when one is complete.
    void write(std::span<const std::byte> bytes);
    /// Checks every tensor got all its bytes, flushes and closes. Throws IoError on failure.
    void finish();

    std::uint64_t data_offset() const { return data_offset_; }

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> shape;
        std::uint32_t dtype;
        std::uint64_t offset; // relative to the data section
        std::uint64_t nbytes;
    };

    void put(const void* p, std::size_t n);
    void put_string(const std::string& s);
    void put_value(const GgufValue& v, GgufType type);
    void pad_to(std::uint64_t multiple);
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    std::FILE* file_ = nullptr;
    std::vector<char> buffer_;
    std::uint32_t alignment_;
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::vector<Tensor> tensors_;
    std::uint64_t data_bytes_ = 0; // size of the data section as declared so far
    std::uint64_t pos_ = 0;        // bytes written
    std::uint64_t data_offset_ = 0;
    std::size_t current_ = 0;       // tensor being written
    std::uint64_t current_done_ = 0;
    bool header_written_ = false;
};

/// Helpers to make metadata values of a given GGUF type.
GgufValue gguf_u32(std::uint32_t v);
GgufValue gguf_u64(std::uint64_t v);
GgufValue gguf_i32(std::int32_t v);
GgufValue gguf_f32(float v);
GgufValue gguf_bool(bool v);
GgufValue gguf_string(std::string v);
GgufValue gguf_strings(const std::vector<std::string>& v);
GgufValue gguf_f32s(const std::vector<float>& v);
GgufValue gguf_i32s(const std::vector<std::int32_t>& v);

} // namespace edge_rt::model
