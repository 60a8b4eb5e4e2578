#include "runtime/weight_store.hpp"

#include "core/dtype.hpp"
#include "io/file.hpp"

#include <chrono>
#include <cstring>
#include <memory>

namespace edge_rt::runtime {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

void transpose_elements(const std::byte* in, std::byte* out, std::size_t rows, std::size_t cols,
                        std::size_t elem_bytes)
{
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            std::memcpy(out + (c * rows + r) * elem_bytes, in + (r * cols + c) * elem_bytes, elem_bytes);
}

WeightStore::WeightStore(const model::TensorTable& tensors, const model::Architecture& arch)
{
    std::vector<std::unique_ptr<io::File>> files(tensors.files.size()); // opened on first use
    for (const auto& group : arch.groups()) {
        std::vector<kernels::WeightView> views;
        for (const auto& spec : group.weights) {
            const auto& t = tensors.require(spec.name);
            const AlignedBuffer& buf = load(tensors, files, t);
            const std::size_t cols = t.shape.at(0);
            views.push_back({buf.data(), static_cast<DType>(t.dtype), cols, static_cast<std::size_t>(t.rows())});
        }
        views_.push_back(std::move(views));
    }
}

const AlignedBuffer& WeightStore::load(const model::TensorTable& tensors,
                                       std::vector<std::unique_ptr<io::File>>& files, const model::TensorRef& t)
{
    if (auto it = buffers_.find(t.name); it != buffers_.end())
        return it->second; // tied weights: one buffer, several views
    auto& slot = files.at(t.file);
    if (!slot)
        slot = std::make_unique<io::File>(tensors.files.at(t.file));
    const io::File& file = *slot;
    AlignedBuffer buf(t.nbytes);
    auto start = Clock::now();
    if (!t.transposed) {
        file.read_exact(t.offset, buf.bytes());
        stats_.io_ms += ms_since(start);
    } else {
        // On disk the rows are shape[1] values long and there are shape[0] of them.
        AlignedBuffer disk(t.nbytes);
        file.read_exact(t.offset, disk.bytes());
        stats_.io_ms += ms_since(start);
        start = Clock::now();
        const std::size_t elem = dtype_info(t.dtype)->block_bytes;
        transpose_elements(disk.data(), buf.data(), t.shape.at(0), t.shape.at(1), elem);
        stats_.transpose_ms += ms_since(start);
    }
    stats_.bytes_read += t.nbytes;
    stats_.bytes_held += t.nbytes;
    return buffers_.emplace(t.name, std::move(buf)).first->second;
}

} // namespace edge_rt::runtime
