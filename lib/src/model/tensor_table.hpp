// The format-independent view of a model's weights: where each tensor lives in which file.
// GGUF and SafeTensors readers both produce it; architecture builders and the I/O layer use it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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

/// Name -> position in a tensor list, kept up to date lazily: the list is appended to (readers
/// push_back), so each lookup first indexes what was added since the last one. A miss is
/// confirmed by a scan, so a list replaced or renamed in place still answers as a scan would.
/// Thread-safe for concurrent lookups; a copy starts empty and indexes its own list.
class TensorNameIndex {
public:
    TensorNameIndex() = default;
    TensorNameIndex(const TensorNameIndex&) {}
    TensorNameIndex& operator=(const TensorNameIndex&);

    /// Position of the first tensor called `name` in `tensors`, or nothing.
    std::optional<std::size_t> find(const std::vector<TensorRef>& tensors, std::string_view name) const;

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    void index_from(const std::vector<TensorRef>& tensors, std::size_t first) const;

    mutable std::mutex mutex_;
    mutable std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> positions_;
    mutable std::size_t indexed_ = 0; // tensors[0, indexed_) are in positions_
};

struct TensorTable {
    std::vector<std::string> files; // paths; tensors refer to them by index
    std::vector<TensorRef> tensors; // append to it; see TensorNameIndex

    /// The tensor called `name`, or nullptr. A hash lookup: `inspect` sweeps and the loaders
    /// look up every tensor of models with hundreds of them.
    const TensorRef* find(std::string_view name) const;
    /// The tensor called `name`; throws FormatError "<file>: missing tensor <name>" otherwise.
    const TensorRef& require(std::string_view name) const;
    std::uint64_t total_bytes() const;

private:
    TensorNameIndex index_;
};

} // namespace edge_rt::model
