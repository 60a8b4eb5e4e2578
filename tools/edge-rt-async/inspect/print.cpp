// `inspect`'s output: a text report for people and one JSON document (keys in --help).
#include "inspect/report.hpp"

#include "edge_rt/config.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace edge_rt::cli {
namespace {

using json = nlohmann::ordered_json;

// 1023 B, 12.0 KiB, 3.4 MiB, 1.10 GiB: readable at every model size.
std::string human(std::uint64_t b)
{
    const double v = static_cast<double>(b);
    if (b < 1024)
        return fmt::format("{} B", b);
    if (b < 1024 * 1024)
        return fmt::format("{:.1f} KiB", v / 1024.0);
    if (b < 1024ull * 1024 * 1024)
        return fmt::format("{:.1f} MiB", v / (1024.0 * 1024.0));
    return fmt::format("{:.2f} GiB", v / (1024.0 * 1024.0 * 1024.0));
}

std::string type_mix(const std::map<std::string, std::uint64_t>& by_type)
{
    std::string out;
    for (const auto& [type, bytes] : by_type)
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", type, bytes);
    return out;
}

// A SafeTensors folder: what config.json and the tensor table say.
void print_config(const ModelStructure& m)
{
    const auto& c = m.header.hyper;
    fmt::print("model         {} (SafeTensors folder)\n", m.header.path);
    fmt::print("architecture  {}{}\n", c.arch_name, c.name.empty() ? "" : " (" + c.name + ")");
    fmt::print("hyper-params  n_embd {}, n_layer {}, n_head {}, n_head_kv {}, head_dim {}, n_ff {}, n_vocab {}, "
               "n_ctx_train {}, rope base {:g}, norm eps {:g}{}\n",
               c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.head_dim, c.n_ff, c.n_vocab, c.n_ctx_train,
               c.rope_freq_base, c.norm_eps, c.tied_output ? ", tied output" : "");
    fmt::print("tensors       {}\n", m.header.tensor_count);
    fmt::print("weights       {} bytes ({})\n", m.header.weight_bytes, human(m.header.weight_bytes));
    fmt::print("KV per token  {} bytes (F32 keys and values, all layers)\n", m.kv_bytes_per_token);
}

void print_planner_view(const InspectReport& r)
{
    const auto& m = r.model;
    if (m.tokenizer.vocab_size)
        fmt::print("\ntokenizer     {}, vocabulary {}\n", m.tokenizer.kind, *m.tokenizer.vocab_size);
    else
        fmt::print("\ntokenizer     none ({})\n", m.tokenizer.note);
    fmt::print("\nweight groups as the planner sees them (slot bytes: aligned for O_DIRECT)\n");
    fmt::print("  {:<10} {:>7} {:>12} {:>12}  {}\n", "group", "tensors", "weight B", "slot B", "types (bytes)");
    for (const auto& g : m.groups)
        fmt::print("  {:<10} {:>7} {:>12} {:>12}  {}\n", g.name, g.tensors, g.weight_bytes, g.slot_bytes,
                   type_mix(g.bytes_by_type));
    fmt::print("\ncontext       {} tokens: fixed reservations {} (KV cache, activations, logits)\n", r.n_ctx,
               human(r.fixed_bytes));
    fmt::print("minimum       {} bytes ({}) for every strategy; every weight resident from {} bytes ({})\n",
               r.minimum_budget, human(r.minimum_budget), r.resident_budget, human(r.resident_budget));
}

void print_cell(const PlanCell& cell, std::uint64_t minimum)
{
    const std::string strategy(to_string(cell.strategy));
    if (!cell.plan) {
        fmt::print("  {:>10} {:<25} below minimum (needs {})\n", human(cell.budget), strategy, human(minimum));
        return;
    }
    const auto& p = *cell.plan;
    const std::string chosen = cell.strategy == Strategy::Auto ? fmt::format("auto={}", to_string(p.strategy)) : strategy;
    fmt::print("  {:>10} {:<25} {:>3}/{:<3} {:>10} {:>10} {:>10} {:>10} {:>9.2f} {:>8.1f}{}\n", human(cell.budget), chosen,
               p.resident_groups, p.streamed_groups, human(p.resident_bytes), human(p.streamed_bytes_per_pass),
               human(p.predicted_peak_bytes), human(cell.bytes_read_per_token), p.predicted_ms_per_token,
               p.predicted_tokens_per_s, p.overlaps ? "  overlap" : "");
}

json cell_json(const PlanCell& cell, const InspectReport& r)
{
    json j{{"budget", cell.budget}, {"strategy", to_string(cell.strategy)}, {"feasible", cell.plan.has_value()}};
    if (!cell.plan) {
        j["needs"] = r.minimum_budget;
        return j;
    }
    const auto& p = *cell.plan;
    json on_demand = json::array();
    std::uint64_t on_demand_bytes = 0;
    for (const std::size_t i : p.on_demand) {
        on_demand.push_back(r.model.groups.at(i).name);
        on_demand_bytes += r.model.groups.at(i).slot_bytes;
    }
    j.update(json{{"planned_strategy", to_string(p.strategy)}, {"groups", p.groups},
                  {"resident_groups", p.resident_groups}, {"streamed_groups", p.streamed_groups},
                  {"slots", p.slots}, {"slot_bytes", p.slot_bytes}, {"resident_bytes", p.resident_bytes},
                  {"streamed_bytes", p.streamed_bytes_per_pass}, {"on_demand_groups", on_demand},
                  {"on_demand_bytes", on_demand_bytes}, {"predicted_peak", p.predicted_peak_bytes},
                  {"bytes_read_per_token", cell.bytes_read_per_token}, {"overlaps", p.overlaps},
                  {"predicted_ms_per_token", p.predicted_ms_per_token},
                  {"predicted_tokens_per_s", p.predicted_tokens_per_s}});
    return j;
}

} // namespace

void print_report(const InspectReport& r)
{
    if (r.model.header.format == "gguf")
        print_gguf_summary(summarize_gguf(r.model.header.path));
    else
        print_config(r.model);
    if (!r.run_refuses.empty()) {
        fmt::print("\nrun           would refuse this model: {}\n", r.run_refuses);
        return;
    }
    print_planner_view(r);
    fmt::print("\nplans (predictions assume reads at {:g} GB/s, compute at {:g} GB/s of weights, {:g} ms per "
               "group read: set --read-gbps / --compute-gbps for your machine)\n",
               r.cost.read_bytes_per_s / 1e9, r.cost.compute_bytes_per_s / 1e9, r.cost.per_read_ms);
    fmt::print("  {:>10} {:<25} {:>7} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8}\n", "budget", "strategy", "res/str",
               "resident", "streamed", "peak", "read/token", "ms/token", "tok/s");
    for (const auto& cell : r.cells)
        print_cell(cell, r.minimum_budget);
}

std::string report_json(const InspectReport& r)
{
    const auto& m = r.model;
    const auto& c = m.header.hyper;
    json groups = json::array();
    for (const auto& g : m.groups)
        groups.push_back({{"name", g.name}, {"tensors", g.tensors}, {"weight_bytes", g.weight_bytes},
                          {"slot_bytes", g.slot_bytes}, {"bytes_by_type", g.bytes_by_type}});
    json tokenizer{{"kind", m.tokenizer.kind}, {"vocab_size", nullptr}};
    if (m.tokenizer.vocab_size)
        tokenizer["vocab_size"] = *m.tokenizer.vocab_size;
    if (!m.tokenizer.note.empty())
        tokenizer["note"] = m.tokenizer.note;
    json plans = json::array();
    for (const auto& cell : r.cells)
        plans.push_back(cell_json(cell, r));
    const json doc{
        {"model", {{"path", m.header.path}, {"format", m.header.format}, {"architecture", c.arch_name}, {"name", c.name}}},
        {"hyper_parameters",
         {{"n_vocab", c.n_vocab}, {"n_embd", c.n_embd}, {"n_layer", c.n_layer}, {"n_head", c.n_head},
          {"n_head_kv", c.n_head_kv}, {"head_dim", c.head_dim}, {"n_ff", c.n_ff}, {"n_ctx_train", c.n_ctx_train},
          {"n_rot", c.n_rot}, {"rope_freq_base", c.rope_freq_base}, {"norm_eps", c.norm_eps},
          {"tied_output", c.tied_output}}},
        {"tokenizer", tokenizer},
        {"groups", groups},
        {"tensor_count", m.header.tensor_count},
        {"total_weight_bytes", m.header.weight_bytes},
        {"kv_bytes_per_token", m.kv_bytes_per_token},
        {"n_ctx", r.n_ctx},
        {"fixed_bytes", r.fixed_bytes},
        {"minimum_budget", r.minimum_budget},
        {"resident_budget", r.resident_budget},
        {"cost_model",
         {{"assumed", true}, {"read_gbps", r.cost.read_bytes_per_s / 1e9},
          {"compute_gbps", r.cost.compute_bytes_per_s / 1e9}, {"per_read_ms", r.cost.per_read_ms}}},
        {"budgets", r.budgets},
        {"plans", plans},
        {"run_refuses", r.run_refuses.empty() ? json(nullptr) : json(r.run_refuses)}};
    return doc.dump(2);
}

} // namespace edge_rt::cli
