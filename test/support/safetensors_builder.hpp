// Writes SafeTensors files from the format's specification (u64 little-endian header
// length, JSON header, data), independently of the reader under test, so tests can make
// valid files and precisely corrupted ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::test {

class SafetensorsBuilder {
public:
    /// A tensor whose `data` is appended to the data section; data_offsets are its range.
    SafetensorsBuilder& tensor(const std::string& name, const std::string& dtype,
                               const std::vector<std::uint64_t>& shape, const std::vector<std::uint8_t>& data);
    /// A tensor entry with explicit data_offsets; no data is appended (see padding()).
    SafetensorsBuilder& tensor_at(const std::string& name, const std::string& dtype,
                                  const std::vector<std::uint64_t>& shape, std::uint64_t begin, std::uint64_t end);
    /// An entry whose JSON value is `json` verbatim, for malformed entries.
    SafetensorsBuilder& raw_entry(const std::string& name, const std::string& json);
    SafetensorsBuilder& metadata(const std::string& key, const std::string& value);
    /// Appends `n` zero bytes to the data section.
    SafetensorsBuilder& padding(std::uint64_t n);

    /// The JSON header as build() writes it (before padding to a multiple of 8 with spaces).
    std::string header() const;
    std::vector<std::uint8_t> build() const;
    std::uint64_t data_size() const { return data_.size(); }

private:
    std::vector<std::pair<std::string, std::string>> entries_; // name, JSON value
    std::vector<std::pair<std::string, std::string>> metadata_;
    std::vector<std::uint8_t> data_;
};

/// A file from its parts: `header_len` is written as given, whatever header.size() is.
std::vector<std::uint8_t> safetensors_file(std::uint64_t header_len, std::string_view header,
                                           const std::vector<std::uint8_t>& data);

/// `s` as a JSON string literal.
std::string json_string(std::string_view s);

/// Little-endian encodings of values, as SafeTensors stores them.
std::vector<std::uint8_t> f32_bytes(const std::vector<float>& v);
std::vector<std::uint8_t> u16_bytes(const std::vector<std::uint16_t>& v);

} // namespace edge_rt::test
