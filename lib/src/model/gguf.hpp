// GGUF v2/v3 header, metadata and tensor table. Tensor data is not read here: the loader
// records where each tensor lives so the I/O layer can stream it into pool buffers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace edge_rt::model {

/// GGUF metadata value types, numbered as the format numbers them.
enum class GgufType : std::uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6,
    Bool = 7, String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

std::string_view gguf_type_name(GgufType t);

/// One metadata value. Integers widen to 64 bits; the original type is kept for display.
struct GgufValue {
    GgufType type = GgufType::U8;
    GgufType elem_type = GgufType::U8; // for arrays
    std::variant<std::uint64_t, std::int64_t, double, bool, std::string, std::vector<GgufValue>> data;

    std::optional<std::uint64_t> as_uint() const;  // non-negative integers
    std::optional<std::int64_t> as_int() const;    // any integer that fits
    std::optional<double> as_float() const;        // floats and integers
    const std::string* as_string() const;
    const std::vector<GgufValue>* as_array() const;
};

struct GgufTensorInfo {
    std::string name;
    std::vector<std::uint64_t> shape; // GGML order: shape[0] is the contiguous (row) length
    std::uint32_t type = 0;           // GGML type id
    std::uint64_t offset = 0;         // absolute offset in the file
    std::uint64_t nbytes = 0;
    std::uint64_t elements() const;
};

struct GgufFile {
    std::string path;
    std::uint32_t version = 0;
    std::uint64_t file_size = 0;
    std::uint64_t alignment = 32;
    std::uint64_t data_offset = 0; // start of the tensor data section
    std::uint64_t header_bytes = 0; // bytes parsed before the data section (padding excluded)
    std::vector<std::pair<std::string, GgufValue>> metadata; // in file order
    std::vector<GgufTensorInfo> tensors;                      // in file order

    const GgufValue* find(std::string_view key) const;
    const GgufTensorInfo* find_tensor(std::string_view name) const;

    // Typed look-ups that throw FormatError naming the file and key when the key has the wrong type.
    std::optional<std::uint64_t> get_uint(std::string_view key) const;
    std::optional<double> get_float(std::string_view key) const;
    std::optional<std::string> get_string(std::string_view key) const;

    /// Appends an entry and indexes it; false (and nothing added) when the name is taken.
    bool add_metadata(std::string key, GgufValue value);
    bool add_tensor(GgufTensorInfo tensor);

private:
    std::map<std::string, std::size_t, std::less<>> index_;
    std::map<std::string, std::size_t, std::less<>> tensor_index_;
};

/// Parses and validates the header of a GGUF file: every string, array, shape, offset and
/// size is checked against the file before anything is allocated for it. Throws FormatError
/// (malformed) or IoError (unreadable), both naming the file.
GgufFile read_gguf(const std::filesystem::path& path);

/// True when the file starts with the GGUF magic (cheap sniffing for format detection).
bool looks_like_gguf(const std::filesystem::path& path);

} // namespace edge_rt::model
