// `inspect`'s findings about one model: its structure, the planner's view of it (the same
// request the engine makes when it loads), and a sweep of plans over budgets and strategies.
// Nothing is read but headers (and the tokenizer's files).
#pragma once

#include "model/gguf.hpp"
#include "model/model_config.hpp"
#include "plan/plan.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::cli {

struct InspectOptions {
    std::filesystem::path model;
    std::vector<std::uint64_t> budgets;      // empty: the default sweep (see default_budgets)
    std::vector<plan::Strategy> strategies;  // empty: all four
    std::size_t n_ctx = 0;                   // 0: the engine's default context
    plan::CostModel cost;                    // assumed speeds for the predictions
};

/// One architecture group (embedding, a layer, output) as stored.
struct GroupRow {
    std::string name;
    std::size_t tensors = 0;
    std::uint64_t weight_bytes = 0; // the tensors' bytes in the file
    std::uint64_t slot_bytes = 0;   // what the planner sizes it at (O_DIRECT alignment included)
    std::map<std::string, std::uint64_t> bytes_by_type; // "Q8_0" -> bytes
};

struct TokenizerFacts {
    std::string kind;                      // "gguf llama", "gguf gpt2", "tokenizer.json", … or "none"
    std::optional<std::size_t> vocab_size; // when a tokenizer loaded
    std::string note;                      // why there is none
};

struct ModelFacts {
    std::string path, format;
    std::optional<model::GgufFile> gguf; // the parsed header of a GGUF model
    model::ModelConfig config;
    TokenizerFacts tokenizer;
    std::vector<GroupRow> groups;
    std::size_t tensor_count = 0;
    std::uint64_t total_weight_bytes = 0; // every tensor once (a tied output is not counted twice)
    std::uint64_t kv_bytes_per_token = 0; // K and V, all layers, F32
};

/// One cell of the sweep: a strategy under a budget.
struct PlanCell {
    std::uint64_t budget = 0;
    plan::Strategy strategy = plan::Strategy::Auto;
    std::optional<plan::ExecutionPlan> plan; // nothing: the budget is below the minimum
    std::uint64_t bytes_read_per_token = 0;  // streamed groups + on-demand embedding rows
};

struct InspectReport {
    ModelFacts model;
    std::size_t n_ctx = 0;
    std::uint64_t fixed_bytes = 0;    // KV cache, activations, logits
    std::uint64_t minimum_budget = 0; // the same for every strategy (largest group + fixed)
    std::uint64_t resident_budget = 0; // what keeps every weight resident
    plan::CostModel cost;
    std::vector<std::uint64_t> budgets;
    std::vector<plan::Strategy> strategies;
    std::vector<PlanCell> cells; // budget-major, strategies in the order asked
    /// Why `run` would refuse the model (a tensor type without kernels); then there are no
    /// plans, only the structure. Empty when it runs.
    std::string run_refuses;
};

/// Opens the model (GGUF file or SafeTensors folder), validates it against its architecture and
/// plans every (budget, strategy) pair. Throws FormatError / IoError naming the file,
/// ConfigError for an impossible context.
InspectReport inspect_model(const InspectOptions& options);

/// The default sweep: the minimum, the fully resident budget and the three budgets a quarter,
/// half and three quarters of the way between them, ascending, without repeats.
std::vector<std::uint64_t> default_budgets(std::uint64_t minimum, std::uint64_t resident);

/// The report as text (stdout) and as one JSON document. A GGUF model's part is the file's own
/// summary (print_gguf_summary); a SafeTensors folder's comes from its config and tensor table.
void print_report(const InspectReport& report);
void print_gguf_summary(const model::GgufFile& file);
std::string report_json(const InspectReport& report);

} // namespace edge_rt::cli
