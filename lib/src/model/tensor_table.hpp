// The format-independent view of a model's weights: where each tensor lives in which file.
// GGUF and SafeTensors readers both produce it; architecture builders and the I/O layer use it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::model {

struct TensorRef {
    std::string name;                 // as the architecture builder expects it (GGUF naming)
    std::vector<std::uint64_t> shape; // GGML order: shape[0] is the contiguous (row) length
    std::uint32_t dtype = 0;          // GGML type id, see core/dtype.hpp
    std::uint32_t file = 0;           // index into TensorTable::files
    std::uint64_t offset = 0;         // absolute byte offset in that file
    std::uint64_t nbytes = 0;
    /// The bytes on disk are the transpose of `shape` (2-D only): Hugging Face GPT-2 stores
    /// Conv1D weights as [in][out]. The loader transposes once at load, never per token.
    bool transposed = false;

    std::uint64_t elements() const;
    std::uint64_t rows() const { return elements() / shape.at(0); }
};

struct TensorTable {
    std::vector<std::string> files; // paths; tensors refer to them by index
    std::vector<TensorRef> tensors;

    /// The tensor called `name`, or nullptr.
    const TensorRef* find(std::string_view name) const;
    /// The tensor called `name`; throws FormatError "<file>: missing tensor <name>" otherwise.
    const TensorRef& require(std::string_view name) const;
    std::uint64_t total_bytes() const;
};

} // namespace edge_rt::model
