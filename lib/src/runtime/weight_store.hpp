// Today's weight residency: every tensor a model's architecture needs is read once into its
// own aligned buffer (plain pread, no mmap) and stays there. Tensors stored transposed on disk
// (Hugging Face Conv1D) are transposed once here. A later streaming runtime replaces this
// class; the forward code only ever sees the per-group views.
#pragma once

#include "io/file.hpp"
#include "kernels/weight_view.hpp"
#include "model/arch/architecture.hpp"
#include "model/tensor_table.hpp"
#include "runtime/aligned_buffer.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace edge_rt::runtime {

struct LoadStats {
    std::uint64_t bytes_read = 0; // weight bytes read from the model files
    double io_ms = 0.0;           // time spent in reads
    double transpose_ms = 0.0;    // time spent transposing flagged tensors
    std::uint64_t bytes_held = 0; // bytes of the weight buffers
};

class WeightStore {
public:
    /// Reads every tensor of every group of `arch` (shared tensors once). The table must have
    /// passed validate_tensors. Throws IoError naming the file on read failures.
    WeightStore(const model::TensorTable& tensors, const model::Architecture& arch);

    /// Views of group `g` (index into arch.groups()), in its WeightSpec order.
    std::span<const kernels::WeightView> group(std::size_t g) const { return views_.at(g); }
    const LoadStats& stats() const { return stats_; }

private:
    const AlignedBuffer& load(const model::TensorTable& tensors, std::vector<std::unique_ptr<io::File>>& files,
                              const model::TensorRef& t);

    std::map<std::string, AlignedBuffer> buffers_;
    std::vector<std::vector<kernels::WeightView>> views_;
    LoadStats stats_;
};

/// Writes the transpose of a `rows` x `cols` matrix of `elem_bytes`-byte elements.
void transpose_elements(const std::byte* in, std::byte* out, std::size_t rows, std::size_t cols,
                        std::size_t elem_bytes);

} // namespace edge_rt::runtime
