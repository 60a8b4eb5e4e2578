// Where a weight group's tensors sit in a slot buffer. Each tensor's file range is aligned
// OUTWARD to 4096 bytes so the reader can use O_DIRECT, and lands at a 4096-aligned position
// of the slot; its view starts at the tensor's first byte inside that window. The layout is
// the same for resident and streamed groups, so the planner's sizes are the bytes held.
#pragma once

#include "io/reader.hpp"
#include "kernels/weight_view.hpp"
#include "arch/architecture.hpp"
#include "model/tensor_table.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace edge_rt::runtime {

/// Alignment of file ranges and slot positions (the O_DIRECT block size, see io/direct_io.hpp).
inline constexpr std::uint64_t kSlotAlignment = 4096;

constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) { return v / a * a; }
constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

struct TensorPlacement {
    const model::TensorRef* tensor = nullptr;
    std::uint64_t rows = 0;           // rows of the tensor the group holds (WeightSpec's range)
    std::uint64_t data_offset = 0;    // file offset of the first of them
    std::uint64_t read_offset = 0;    // file offset, aligned down
    std::uint64_t read_bytes = 0;     // aligned outward
    std::uint64_t pos = 0;            // where the read lands in the slot
    std::uint64_t transposed_pos = 0; // the transposed copy (tensor->transposed only)
};

/// The tensors of consecutive architecture groups (a planned group), packed in one buffer.
struct SlotLayout {
    std::vector<std::size_t> arch_groups;           // indices into Architecture::groups()
    std::vector<std::vector<TensorPlacement>> placed; // per arch group, in WeightSpec order
    std::uint64_t bytes = 0;
    bool has_transposed = false;
};

/// The bytes of `t` that `spec` names: the whole tensor, or its rows [row_begin, row_end).
std::uint64_t spec_bytes(const model::WeightSpec& spec, const model::TensorRef& t);

/// Bytes one architecture group needs in a slot (what the planner calls its size).
std::uint64_t group_slot_bytes(const model::WeightGroup& group, const model::TensorTable& tensors);

/// Packs `arch_groups` (in order) into one slot. Tensors shared by two groups (tied output)
/// are placed, and read, once per group that names them.
SlotLayout layout_slot(const model::Architecture& arch, const model::TensorTable& tensors,
                       const std::vector<std::size_t>& arch_groups);

/// The reads that fill `slot` (at least layout.bytes long).
std::vector<io::ReadRange> slot_reads(const SlotLayout& layout, std::byte* slot);

/// Writes the transposed copies of the tensors stored transposed on disk (Hugging Face
/// Conv1D). For a streamed group this runs after every read: the one per-pass cost of
/// streaming such a checkpoint; a resident group pays it once at load.
void transpose_slot(const SlotLayout& layout, std::byte* slot);

/// Views of each arch group of the slot, in WeightSpec order.
std::vector<std::vector<kernels::WeightView>> slot_views(const SlotLayout& layout, const std::byte* slot);

/// Writes the transpose of a `rows` x `cols` matrix of `elem_bytes`-byte elements.
void transpose_elements(const std::byte* in, std::byte* out, std::size_t rows, std::size_t cols,
                        std::size_t elem_bytes);

} // namespace edge_rt::runtime
