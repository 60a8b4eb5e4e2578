#include "runtime/weight_layout.hpp"

#include "core/dtype.hpp"

#include <cstring>

namespace edge_rt::runtime {
namespace {

// Places the rows of `t` that `spec` names at `pos`; returns the position after them (and
// after the transposed copy; a transposed tensor is never split, see split_output_like_layers).
std::uint64_t place(const model::TensorRef& t, const model::WeightSpec& spec, std::uint64_t pos, TensorPlacement& p)
{
    p.tensor = &t;
    p.rows = (spec.row_end ? spec.row_end : t.rows()) - spec.row_begin;
    p.data_offset = t.offset + (spec.row_end ? t.nbytes / t.rows() * spec.row_begin : 0);
    const std::uint64_t nbytes = spec_bytes(spec, t);
    p.read_offset = align_down(p.data_offset, kSlotAlignment);
    p.read_bytes = align_up(p.data_offset + nbytes, kSlotAlignment) - p.read_offset;
    p.pos = pos;
    pos += p.read_bytes;
    if (t.transposed) {
        p.transposed_pos = pos;
        pos += align_up(t.nbytes, kSlotAlignment);
    }
    return pos;
}

} // namespace

std::uint64_t spec_bytes(const model::WeightSpec& spec, const model::TensorRef& t)
{
    if (spec.row_end == 0)
        return t.nbytes;
    return t.nbytes / t.rows() * (spec.row_end - spec.row_begin);
}

void transpose_elements(const std::byte* in, std::byte* out, std::size_t rows, std::size_t cols,
                        std::size_t elem_bytes)
{
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            std::memcpy(out + (c * rows + r) * elem_bytes, in + (r * cols + c) * elem_bytes, elem_bytes);
}

std::uint64_t group_slot_bytes(const model::WeightGroup& group, const model::TensorTable& tensors)
{
    std::uint64_t pos = 0;
    TensorPlacement p;
    for (const auto& spec : group.weights)
        pos = place(tensors.require(spec.name), spec, pos, p);
    return pos;
}

SlotLayout layout_slot(const model::Architecture& arch, const model::TensorTable& tensors,
                       const std::vector<std::size_t>& arch_groups)
{
    SlotLayout l;
    l.arch_groups = arch_groups;
    for (std::size_t g : arch_groups) {
        auto& placed = l.placed.emplace_back();
        for (const auto& spec : arch.groups().at(g).weights) {
            const auto& t = tensors.require(spec.name);
            l.bytes = place(t, spec, l.bytes, placed.emplace_back());
            l.has_transposed = l.has_transposed || t.transposed;
        }
    }
    return l;
}

std::vector<io::ReadRange> slot_reads(const SlotLayout& layout, std::byte* slot)
{
    std::vector<io::ReadRange> reads;
    for (const auto& group : layout.placed)
        for (const auto& p : group)
            reads.push_back({p.tensor->file, p.read_offset, {slot + p.pos, p.read_bytes}});
    return reads;
}

void transpose_slot(const SlotLayout& layout, std::byte* slot)
{
    for (const auto& group : layout.placed)
        for (const auto& p : group) {
            const auto& t = *p.tensor;
            if (!t.transposed)
                continue;
            // On disk the rows are shape[1] values long and there are shape[0] of them.
            const std::byte* disk = slot + p.pos + (p.data_offset - p.read_offset);
            transpose_elements(disk, slot + p.transposed_pos, t.shape.at(0), t.shape.at(1),
                               dtype_info(t.dtype)->block_bytes);
        }
}

std::vector<std::vector<kernels::WeightView>> slot_views(const SlotLayout& layout, const std::byte* slot)
{
    std::vector<std::vector<kernels::WeightView>> views;
    for (const auto& group : layout.placed) {
        auto& v = views.emplace_back();
        for (const auto& p : group) {
            const auto& t = *p.tensor;
            const std::byte* data =
                t.transposed ? slot + p.transposed_pos : slot + p.pos + (p.data_offset - p.read_offset);
            v.push_back({data, static_cast<DType>(t.dtype), static_cast<std::size_t>(t.shape.at(0)),
                         static_cast<std::size_t>(p.rows)});
        }
    }
    return views;
}

} // namespace edge_rt::runtime
