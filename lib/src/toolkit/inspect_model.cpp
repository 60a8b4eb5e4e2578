// edge_rt::inspect_model (edge_rt/inspect.hpp): a model's structure and the plans the engine
// would make for it. The plan request is built as runtime::Engine::make_request() builds it
// (same fixed reservations, same group sizes), so the predicted peak is what a load with that
// budget enforces; a CLI test checks that.
#include "edge_rt/config.hpp"
#include "edge_rt/error.hpp"
#include "edge_rt/inspect.hpp"

#include "core/dtype.hpp"
#include "kernels/kernel_table.hpp"
#include "arch/architecture.hpp"
#include "model/model_source.hpp"
#include "tokenizer/tokenizer.hpp"
#include "runtime/engine.hpp"
#include "runtime/plan_request.hpp"
#include "runtime/weight_layout.hpp"
#include "api/plan_info.hpp"
#include "toolkit/convert.hpp"

#include <fmt/format.h>

#include <limits>
#include <set>

namespace edge_rt {
namespace {

constexpr std::size_t kMaxBatch = 512; // RuntimeConfig::max_batch's default

TokenizerFacts tokenizer_facts(const model::ModelSource& src)
{
    TokenizerFacts f;
    try {
        std::unique_ptr<model::Tokenizer> tok;
        if (src.gguf) {
            f.kind = "gguf " + src.gguf->get_string("tokenizer.ggml.model").value_or("?");
            tok = model::tokenizer_from_gguf(*src.gguf);
        } else {
            f.kind = "none";
            for (const char* name : {"tokenizer.json", "vocab.json", "encoder.json", "tokenizer.bin"})
                if (std::filesystem::exists(src.path / name)) {
                    f.kind = name;
                    break;
                }
            tok = model::load_tokenizer(src.path);
        }
        f.vocab_size = tok->vocab_size();
    } catch (const Error& e) {
        f.kind = "none";
        f.note = e.what();
    }
    return f;
}

ModelStructure model_structure(const model::ModelSource& src, const model::Architecture& arch)
{
    ModelStructure m;
    m.header = toolkit::model_header(src);
    m.tokenizer = tokenizer_facts(src);
    for (const auto& g : arch.groups()) {
        WeightGroup row{runtime::group_name(g), g.weights.size(), 0, runtime::group_slot_bytes(g, src.tensors), {}};
        for (const auto& w : g.weights) {
            const auto& t = src.tensors.require(w.name);
            row.weight_bytes += runtime::spec_bytes(w, t);
            row.bytes_by_type[dtype_name(t.dtype)] += runtime::spec_bytes(w, t);
        }
        m.groups.push_back(std::move(row));
    }
    const auto& c = src.config;
    m.kv_bytes_per_token = 2ull * c.n_layer * c.n_head_kv * c.head_dim() * sizeof(float);
    return m;
}

// Streamed bytes plus, for each on-demand group (the token embedding), one row per token.
std::uint64_t bytes_read_per_token(const plan::ExecutionPlan& p, const model::Architecture& arch,
                                   const model::TensorTable& tensors)
{
    std::uint64_t n = p.streamed_bytes;
    for (const std::size_t i : p.on_demand)
        if (const auto* t = runtime::row_readable(arch.groups().at(i), tensors))
            n += t->nbytes / t->rows();
    return n;
}

plan::CostModel internal(const CostModel& c)
{
    plan::CostModel m;
    m.read_bytes_per_s = c.read_bytes_per_s;
    m.compute_bytes_per_s = c.compute_bytes_per_s;
    m.per_read_ms = c.per_read_ms;
    return m;
}

// The first tensor whose type has no kernels, as `run` would name it; empty when all have.
std::string type_without_kernels(const model::TensorTable& tensors)
{
    for (const auto& t : tensors.tensors) {
        const auto info = dtype_info(t.dtype);
        if (!info || !info->supported)
            return fmt::format("unsupported tensor type {} in tensor {}", dtype_name(t.dtype), t.name);
    }
    return {};
}

} // namespace

std::vector<std::uint64_t> default_budgets(std::uint64_t minimum, std::uint64_t resident)
{
    std::set<std::uint64_t> b;
    const std::uint64_t span = resident > minimum ? resident - minimum : 0;
    for (std::uint64_t quarter = 0; quarter <= 4; ++quarter)
        b.insert(minimum + span / 4 * quarter + (quarter == 4 ? span % 4 : 0));
    return {b.begin(), b.end()};
}

InspectReport inspect_model(const InspectOptions& o)
{
    auto src = model::open_model(o.model);
    InspectReport r;
    if (r.run_refuses = type_without_kernels(src.tensors); !r.run_refuses.empty()) {
        // Still show the structure (types included); plans need kernels for every tensor.
        r.model = model_structure(src, *model::make_architecture(src.config, kernels::scalar_kernels()));
        return r;
    }
    const auto arch = runtime::runtime_architecture(src, kernels::scalar_kernels());

    r.model = model_structure(src, *arch);
    r.n_ctx = runtime::checked_context_length(src.config, o.n_ctx, r.model.header.path);
    r.cost = o.cost;
    // Engine::make_request() without a budget: the same request (runtime/plan_request.hpp).
    auto request = runtime::base_plan_request(src, *arch, r.n_ctx, kMaxBatch, 1);
    request.cost = internal(o.cost);
    r.fixed_bytes = request.fixed_bytes;
    r.minimum_budget = plan::minimum_budget(request);
    request.budget = std::numeric_limits<std::uint64_t>::max();
    r.resident_budget = plan::make_plan(request).predicted_peak;
    r.budgets = o.budgets.empty() ? default_budgets(r.minimum_budget, r.resident_budget) : o.budgets;
    r.strategies = o.strategies;
    if (r.strategies.empty())
        r.strategies = {Strategy::Sequential, Strategy::GreedyGrouping, Strategy::SpeculativePrefetch, Strategy::Auto};
    for (const std::uint64_t budget : r.budgets)
        for (const Strategy s : r.strategies) {
            PlanCell cell{budget, s, std::nullopt, 0};
            if (budget >= r.minimum_budget) {
                request.budget = budget;
                request.strategy = plan::parse_strategy(to_string(s));
                const auto p = plan::make_plan(request);
                cell.plan = api::plan_info(p, r.n_ctx);
                cell.bytes_read_per_token = bytes_read_per_token(p, *arch, src.tensors);
            }
            r.cells.push_back(std::move(cell));
        }
    return r;
}

} // namespace edge_rt
