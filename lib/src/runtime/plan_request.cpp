#include "runtime/plan_request.hpp"

#include "model/arch/activations.hpp"
#include "runtime/row_reader.hpp"
#include "runtime/weight_layout.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::runtime {

std::string group_name(const model::WeightGroup& g)
{
    switch (g.kind) {
    case model::GroupKind::Embedding: return "embedding";
    case model::GroupKind::Output: return "output";
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
                                    std::size_t n_ctx, std::size_t max_batch, std::size_t logit_rows)
{
    const auto& c = source.config;
    const std::size_t batch = std::min(max_batch, n_ctx);
    const std::uint64_t kv_dim = static_cast<std::uint64_t>(c.n_head_kv) * c.head_dim();
    plan::PlanRequest r;
    // KV cache, activations for one prompt chunk, the logits.
    r.fixed_bytes = 2 * std::uint64_t{c.n_layer} * n_ctx * kv_dim * sizeof(float) +
                    model::Activations::bytes_for(c, batch, n_ctx) +
                    std::max<std::uint64_t>(logit_rows, 1) * c.n_vocab * sizeof(float);
    for (const auto& g : arch.groups()) {
        const auto* rows = row_readable(g, source.tensors);
        r.groups.push_back({group_name(g), group_slot_bytes(g, source.tensors),
                            rows ? RowReader::buffer_bytes(*rows, batch) : 0});
    }
    return r;
}

} // namespace edge_rt::runtime
