// Writes GGUF files byte by byte from the format's specification, independently of the
// reader under test, so tests can make valid files and precisely corrupted ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::test {

class GgufBuilder {
public:
    GgufBuilder& version(std::uint32_t v);
    GgufBuilder& alignment(std::uint32_t a); // also writes general.alignment
    GgufBuilder& kv_u32(const std::string& key, std::uint32_t v);
    GgufBuilder& kv_f32(const std::string& key, float v);
    GgufBuilder& kv_string(const std::string& key, const std::string& v);
    GgufBuilder& kv_strings(const std::string& key, const std::vector<std::string>& v);
    GgufBuilder& kv_i32s(const std::string& key, const std::vector<std::int32_t>& v);
    /// A key with a raw type id and payload, for malformed values.
    GgufBuilder& kv_raw(const std::string& key, std::uint32_t type, const std::vector<std::uint8_t>& payload);
    /// A tensor whose data (`data.size()` bytes) is placed at the next aligned offset, or at
    /// `offset` (relative to the data section) when given.
    GgufBuilder& tensor(const std::string& name, const std::vector<std::uint64_t>& shape,
                        std::uint32_t type, std::vector<std::uint8_t> data,
                        std::optional<std::uint64_t> offset = std::nullopt);

    std::vector<std::uint8_t> build() const;

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> shape;
        std::uint32_t type;
        std::vector<std::uint8_t> data;
        std::optional<std::uint64_t> offset;
    };
    std::uint32_t version_ = 3;
    std::uint32_t alignment_ = 32;
    std::uint64_t n_kv_ = 0;
    std::vector<std::uint8_t> kv_bytes_;
    std::vector<Tensor> tensors_;
};

/// Little-endian appenders shared by the builders.
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v);
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v);
void put_string(std::vector<std::uint8_t>& out, const std::string& s);

} // namespace edge_rt::test
