// Tensor element types, numbered as GGML/GGUF number them, with their block layout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edge_rt {

/// GGML tensor type ids (the numbers GGUF files store). Only some are supported for compute.
enum class DType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    IQ4_NL = 20,
    IQ4_XS = 23,
    BF16 = 30,
};

/// Layout of one GGML type: `block_elems` values are stored in `block_bytes` bytes.
struct DTypeInfo {
    std::uint32_t id;
    std::string_view name;
    std::uint32_t block_elems;
    std::uint32_t block_bytes;
    bool supported; // the runtime has kernels for it
};

/// The layout of GGML type `id`, or nullopt for ids no GGML release defines.
std::optional<DTypeInfo> dtype_info(std::uint32_t id);

/// "F32", "Q4_K", … or "type#N" for unknown ids: for messages and `inspect`.
std::string dtype_name(std::uint32_t id);

/// Bytes taken by `n_elems` values of type `info`; nullopt when n_elems is not a whole
/// number of blocks or the size overflows.
std::optional<std::uint64_t> dtype_bytes(const DTypeInfo& info, std::uint64_t n_elems);

} // namespace edge_rt
