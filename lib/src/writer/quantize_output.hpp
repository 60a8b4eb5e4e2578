// The output side of quantize_model: a temporary file next to the output that becomes the
// output only when complete (fsync, rename, fsync of the folder), and the metadata copied
// from the source with llama.cpp's file-type keys.
#pragma once

#include "model/gguf.hpp"
#include "writer/gguf_writer.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace edge_rt {

/// Creates OUT.tmp-XXXXXX beside `output` (IoError naming the output and why when it cannot);
/// the destructor removes it unless commit() renamed it to `output`.
class TemporaryOutput {
public:
    explicit TemporaryOutput(std::filesystem::path output);
    ~TemporaryOutput();
    TemporaryOutput(const TemporaryOutput&) = delete;
    TemporaryOutput& operator=(const TemporaryOutput&) = delete;

    const std::filesystem::path& path() const { return tmp_; }
    /// fsyncs the temporary file, renames it to the output, fsyncs the folder.
    void commit();

private:
    std::filesystem::path output_, tmp_;
    bool committed_ = false;
};

namespace quantize {

/// Every entry of `metadata` except general.alignment (the writer sets it), with
/// general.file_type = `file_type` and general.quantization_version = 2 (llama.cpp's keys).
void write_metadata(const std::vector<std::pair<std::string, model::GgufValue>>& metadata, std::uint32_t file_type,
                    model::GgufWriter& writer);

} // namespace quantize
} // namespace edge_rt
