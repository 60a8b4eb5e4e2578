#include "runtime/plan_request.hpp"

#include "arch/activations.hpp"
#include "arch/validate.hpp"
#include "runtime/row_reader.hpp"
#include "runtime/weight_layout.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::runtime {

namespace {

// Parts of the output group needed for each to fit in `limit` bytes (1 when it already does,
// or when the matrix is stored transposed and its rows are not contiguous on disk).
std::uint32_t output_parts(const model::Architecture& arch, const model::TensorTable& tensors, std::uint64_t limit)
{
    const model::WeightGroup& out = arch.groups().back();
    const model::TensorRef& matrix = tensors.require(out.weights.back().name);
    const std::uint64_t whole = group_slot_bytes(out, tensors);
    if (matrix.transposed || whole <= limit || limit == 0)
        return 1;
    // Each part also carries up to two alignment pages: a few parts beyond the byte ratio
    // suffice unless the layers are tiny, where splitting gains nothing.
    const std::uint64_t rows = matrix.rows(), first = (whole + limit - 1) / limit;
    for (std::uint64_t parts = first; parts <= std::min(rows, first + 8); ++parts) {
        const auto split = model::Architecture::output_parts(out, static_cast<std::uint32_t>(parts));
        if (std::all_of(split.begin(), split.end(),
                        [&](const model::WeightGroup& g) { return group_slot_bytes(g, tensors) <= limit; }))
            return static_cast<std::uint32_t>(parts);
    }
    return 1;
}

} // namespace

std::unique_ptr<model::Architecture> runtime_architecture(const model::ModelSource& source,
                                                          const kernels::KernelTable& kernels)
{
    auto arch = model::make_architecture(source.config, kernels);
    model::validate_tensors(*arch, source.tensors);
    std::uint64_t largest_layer = 0;
    for (const auto& g : arch->groups())
        if (g.kind == model::GroupKind::Layer)
            largest_layer = std::max(largest_layer, group_slot_bytes(g, source.tensors));
    arch->split_output(output_parts(*arch, source.tensors, largest_layer));
    return arch;
}

std::string group_name(const model::WeightGroup& g)
{
    switch (g.kind) {
    case model::GroupKind::Embedding: return "embedding";
    case model::GroupKind::Output: return g.parts > 1 ? fmt::format("output {}/{}", g.layer + 1, g.parts) : "output";
    case model::GroupKind::Layer: break;
    }
    return fmt::format("layer {}", g.layer);
}

const model::TensorRef* row_readable(const model::WeightGroup& g, const model::TensorTable& tensors)
{
    if (g.kind != model::GroupKind::Embedding || g.weights.size() != 1)
        return nullptr;
    const auto& t = tensors.require(g.weights[0].name);
    return t.transposed ? nullptr : &t;
}

plan::PlanRequest base_plan_request(const model::ModelSource& source, const model::Architecture& arch,
                                    std::size_t n_ctx, std::size_t max_batch, std::size_t logit_rows,
                                    std::size_t sessions)
{
    const auto& c = source.config;
    const std::size_t batch = std::min(max_batch, n_ctx);
    const std::uint64_t kv_dim = static_cast<std::uint64_t>(c.n_head_kv) * c.head_dim();
    plan::PlanRequest r;
    // Per session: KV cache, activations for one prompt chunk, the logits.
    r.fixed_bytes = sessions * (2 * std::uint64_t{c.n_layer} * n_ctx * kv_dim * sizeof(float) +
                                model::Activations::bytes_for(c, batch, n_ctx) +
                                std::max<std::uint64_t>(logit_rows, 1) * c.n_vocab * sizeof(float));
    for (const auto& g : arch.groups()) {
        const auto* rows = row_readable(g, source.tensors);
        r.groups.push_back({group_name(g), group_slot_bytes(g, source.tensors),
                            rows ? RowReader::buffer_bytes(*rows, batch) : 0});
    }
    return r;
}

} // namespace edge_rt::runtime
