// What quantize reads: a GGUF file, or a Hugging Face folder (config.json + SafeTensors +
// tokenizer files) seen as the GGUF it becomes — GGUF names and shapes, llama.cpp's metadata
// keys, and the row layout changes convert_hf_to_gguf.py makes (GPT-2 Conv1D transposed,
// Llama q/k rows permuted for GGUF's interleaved RoPE), applied while rows are read.
#pragma once

#include "model/gguf.hpp"
#include "writer/quantize_mix.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace edge_rt::quantize {

/// Where row r of a tensor (GGUF order) is in its source file.
enum class Layout {
    Rows,       ///< at offset + r * row bytes
    Transposed, ///< the file holds the transpose (HF GPT-2 Conv1D [in][out]): row r is column r
    HeadHalves, ///< HF Llama q/k: in each head_dim-row head, row 2p+k is file row p + k*head_dim/2
};

struct SourceTensor {
    std::string name;                 ///< GGUF name
    std::vector<std::uint64_t> shape; ///< GGML order
    std::uint32_t type = 0;           ///< GGML type id of the source bytes
    std::uint32_t file = 0;           ///< index into Source::files
    std::uint64_t offset = 0;         ///< absolute, in that file
    std::uint64_t nbytes = 0;
    Layout layout = Layout::Rows;
    std::uint64_t head_dim = 0;       ///< for HeadHalves
    std::vector<std::byte> data;      ///< when not empty, the bytes themselves (made from config.json)

    std::uint64_t elements() const;
};

struct Source {
    std::vector<std::string> files;
    std::vector<SourceTensor> tensors; ///< in output order
    /// The output's metadata (general.file_type and general.quantization_version are set on
    /// writing; general.alignment is the writer's).
    std::vector<std::pair<std::string, model::GgufValue>> metadata;
    ModelShape shape;
    std::uint64_t input_bytes = 0;
};

/// A GGUF file or a Hugging Face model folder. Throws FormatError / IoError naming the file.
Source open_source(const std::filesystem::path& input);

/// The HF folder part of open_source (quantize_hf.cpp).
Source open_hf_source(const std::filesystem::path& dir);

/// Reads rows of source tensors in GGUF order, with one descriptor per file opened on first use.
class RowReader {
public:
    explicit RowReader(std::vector<std::string> files) : files_(std::move(files)), fds_(files_.size(), -1) {}
    ~RowReader();
    RowReader(const RowReader&) = delete;
    RowReader& operator=(const RowReader&) = delete;

    /// Rows [row, row + n) of `t` into `out` (n rows of the source type). IoError naming the
    /// file on a failed or short read.
    void read(const SourceTensor& t, std::uint64_t row, std::uint64_t n, std::span<std::byte> out);

private:
    void read_at(std::uint32_t file, std::uint64_t offset, std::span<std::byte> into);

    std::vector<std::string> files_;
    std::vector<int> fds_;
    std::vector<std::byte> column_; // one file row's slice of a transposed chunk
};

} // namespace edge_rt::quantize
