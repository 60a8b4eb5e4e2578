// llama.cpp's per-tensor recipes for the quantize types (llama-quant.cpp, llama_tensor_get_type,
// as of b4747): which tensors are quantised at all, which get more bits than the base type, and
// the fallbacks for rows that are not whole 256-value super-blocks. docs/quantize.md has the
// table; tests check it against llama.cpp's own files of stories260K-w256.
#pragma once

#include "core/dtype.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::quantize {

struct Recipe {
    std::string_view name;   ///< the --type name
    DType base;              ///< most matrices
    std::uint32_t file_type; ///< llama.cpp's LLAMA_FTYPE_MOSTLY_* number for general.file_type
};

/// The recipe of a --type name, or nullopt.
std::optional<Recipe> find_recipe(std::string_view name);
std::vector<std::string> recipe_names();

/// What the recipe needs to know about the model.
struct ModelShape {
    std::uint32_t n_layer = 0;       ///< blocks (counts attn_v / ffn_down tensors)
    std::uint32_t n_gqa = 1;         ///< query heads per KV head
    bool has_output = true;          ///< a separate output.weight (else token_embd is the head)
};

/// Whether llama.cpp quantises a tensor at all: 2-D (or more) weights other than norms,
/// position embeddings and MoE routers.
bool is_quantized(std::string_view name, std::size_t n_dims);

/// The type tensor `name` (row length `ne0`) is written as under `recipe`, fallbacks included.
/// Only for tensors is_quantized accepts.
DType tensor_type(const Recipe& recipe, std::string_view name, std::uint64_t ne0, const ModelShape& shape);

} // namespace edge_rt::quantize
