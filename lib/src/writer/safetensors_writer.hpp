// Writes a SafeTensors file front to back: the 8-byte header length, the JSON header (tensors
// in declaration order, padded with spaces to a multiple of 8), then each tensor's data
// streamed in pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace edge_rt::model {

class SafetensorsWriter {
public:
    /// Creates (truncates) `path`; throws IoError naming it when it cannot.
    explicit SafetensorsWriter(const std::filesystem::path& path);
    ~SafetensorsWriter();
    SafetensorsWriter(const SafetensorsWriter&) = delete;
    SafetensorsWriter& operator=(const SafetensorsWriter&) = delete;

    void add_metadata(const std::string& key, const std::string& value);
    /// Declares the next tensor: dtype as SafeTensors spells it ("F32", "F16", "BF16"), shape in
    /// PyTorch order (last dimension contiguous).
    void add_tensor(std::string name, std::string dtype, std::vector<std::uint64_t> shape);

    void write_header();
    /// Appends bytes of the tensors in declaration order.
    void write(std::span<const std::byte> bytes);
    /// Checks that every declared byte was written, flushes and closes. Throws IoError.
    void finish();

private:
    struct Tensor {
        std::string name, dtype;
        std::vector<std::uint64_t> shape;
        std::uint64_t begin, end;
    };

    void put(const void* p, std::size_t n);
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    std::FILE* file_ = nullptr;
    std::vector<char> buffer_;
    std::map<std::string, std::string> metadata_;
    std::vector<Tensor> tensors_;
    std::uint64_t data_bytes_ = 0;
    std::uint64_t written_ = 0; // data bytes written
    bool header_written_ = false;
};

} // namespace edge_rt::model
