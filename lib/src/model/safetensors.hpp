// SafeTensors files: an 8-byte little-endian header length N, N bytes of JSON describing
// each tensor (dtype, shape, byte range relative to the end of the header), then the data.
// Only the header is read here; the I/O layer reads the data later.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::model {

struct SafetensorsTensor {
    std::string name;
    std::string dtype;                // as the file spells it: "F32", "BF16", "I64", …
    std::vector<std::uint64_t> shape; // PyTorch order: the last dimension is contiguous
    std::uint64_t begin = 0;          // data_offsets, relative to SafetensorsFile::data_offset
    std::uint64_t end = 0;
};

struct SafetensorsFile {
    std::string path;
    std::uint64_t file_size = 0;
    std::uint64_t header_bytes = 0; // N, the JSON's length
    std::uint64_t data_offset = 0;  // 8 + N: where data_offsets count from
    std::map<std::string, std::string> metadata; // "__metadata__"
    std::vector<SafetensorsTensor> tensors;      // in data order (by begin)

    const SafetensorsTensor* find(std::string_view name) const;
};

/// Largest header accepted: far above real files (a few hundred KB), small enough that a
/// corrupt length cannot make us allocate much.
inline constexpr std::uint64_t kSafetensorsMaxHeader = 100'000'000;

/// Reads and validates the header: JSON well-formed, every entry complete and known, each
/// tensor's byte range exactly its shape × dtype size, inside the file and overlapping no
/// other. Throws FormatError (malformed) or IoError (unreadable), naming the file.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

/// Bytes per element of a SafeTensors dtype name, or nullopt for names the format lacks.
std::optional<std::uint32_t> safetensors_dtype_size(std::string_view dtype);

/// The GGML type id of the dtypes the runtime computes with (F32, F16, BF16), else nullopt.
std::optional<std::uint32_t> safetensors_ggml_type(std::string_view dtype);

} // namespace edge_rt::model
