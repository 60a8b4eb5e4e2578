// A model's structure and the plans the engine would make for it, read from headers only
// (nothing is loaded or run): what `edge-rt-async inspect` prints and `bench` labels its rows
// with. The plans come from the same request async_load makes, so a predicted peak is what a
// load with that budget enforces.
#pragma once

#include "edge_rt/config.hpp"
#include "edge_rt/export.hpp"
#include "edge_rt/model.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt {

/// The planner's ASSUMED speeds, behind every prediction (a guide, not a measurement).
struct CostModel {
    double read_bytes_per_s = 400e6;  ///< storage, as the reader achieves it
    double compute_bytes_per_s = 2e9; ///< weight bytes the kernels consume per second (decode)
    double per_read_ms = 0.05;        ///< fixed cost of issuing one group's reads
};

/// Hyper-parameters as the model's metadata (GGUF keys or config.json) give them.
struct HyperParameters {
    std::string arch_name; ///< "llama", "gpt2" as the file says
    std::string name;      ///< general.name or the folder name
    std::uint32_t n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0;
    std::uint32_t n_ff = 0, n_ctx_train = 0, n_rot = 0;
    float rope_freq_base = 0, norm_eps = 0;
    bool tied_output = false; ///< the output matrix is the token embedding
};

/// What a model's headers say, without checking the model against its architecture.
struct ModelHeader {
    std::string path;
    std::string format; ///< "gguf" or "safetensors"
    HyperParameters hyper;
    std::size_t tensor_count = 0;
    std::uint64_t parameters = 0;   ///< elements of every tensor
    std::uint64_t weight_bytes = 0; ///< bytes of every tensor (a tied output counts once)
    std::map<std::string, std::uint64_t> bytes_by_type; ///< "Q8_0" -> bytes
    std::string main_type; ///< the type holding most bytes ("Q8_0"); empty without tensors
    std::optional<std::uint64_t> bos_id, eos_id; ///< GGUF tokenizer.ggml.{bos,eos}_token_id
};

/// Reads the headers of a GGUF file or SafeTensors folder. Throws FormatError / IoError naming
/// the file.
EDGE_RT_API ModelHeader read_model_header(const std::filesystem::path& model);

/// One weight group of the architecture (embedding, a layer, output) as stored.
struct WeightGroup {
    std::string name;
    std::size_t tensors = 0;
    std::uint64_t weight_bytes = 0; ///< the tensors' bytes in the file
    std::uint64_t slot_bytes = 0;   ///< what the planner sizes it at (O_DIRECT alignment included)
    std::map<std::string, std::uint64_t> bytes_by_type; ///< "Q8_0" -> bytes
};

struct TokenizerFacts {
    std::string kind; ///< "gguf llama", "gguf gpt2", "tokenizer.json", … or "none"
    std::optional<std::size_t> vocab_size; ///< when a tokenizer loaded
    std::string note; ///< why there is none
};

/// The model as the planner sees it.
struct ModelStructure {
    ModelHeader header;
    TokenizerFacts tokenizer;
    std::vector<WeightGroup> groups;
    std::uint64_t kv_bytes_per_token = 0; ///< K and V, all layers, F32
};

/// One cell of a sweep: a strategy under a budget.
struct PlanCell {
    std::uint64_t budget = 0;
    Strategy strategy = Strategy::Auto;
    std::optional<PlanInfo> plan;           ///< nothing: the budget is below the minimum
    std::uint64_t bytes_read_per_token = 0; ///< streamed groups + on-demand embedding rows
};

struct InspectOptions {
    std::filesystem::path model;
    std::vector<std::uint64_t> budgets; ///< empty: default_budgets()
    std::vector<Strategy> strategies;   ///< empty: all four
    std::size_t n_ctx = 0;              ///< 0: the engine's default context
    CostModel cost;
};

struct InspectReport {
    ModelStructure model;
    std::size_t n_ctx = 0;
    std::uint64_t fixed_bytes = 0;     ///< KV cache, activations, logits
    std::uint64_t minimum_budget = 0;  ///< the same for every strategy (largest group + fixed)
    std::uint64_t resident_budget = 0; ///< what keeps every weight resident
    CostModel cost;
    std::vector<std::uint64_t> budgets;
    std::vector<Strategy> strategies;
    std::vector<PlanCell> cells; ///< budget-major, strategies in the order asked
    /// Why `run` would refuse the model (a tensor type without kernels); then there are no
    /// plans, only the structure. Empty when it runs.
    std::string run_refuses;
};

/// Opens the model, validates it against its architecture and plans every (budget, strategy)
/// pair. Throws FormatError / IoError naming the file, ConfigError for an impossible context.
EDGE_RT_API InspectReport inspect_model(const InspectOptions& options);

/// The default sweep: the minimum, the fully resident budget and the three budgets a quarter,
/// half and three quarters of the way between them, ascending, without repeats.
EDGE_RT_API std::vector<std::uint64_t> default_budgets(std::uint64_t minimum, std::uint64_t resident);

/// One layer of a GGUF file's summary.
struct LayerSummary {
    std::string name; ///< "blk.3", or "embeddings" / "output" for the tensors outside blocks
    std::uint64_t bytes = 0;
    std::uint64_t tensors = 0;
    std::map<std::string, std::uint64_t> bytes_by_type; ///< "F32" -> bytes
};

/// What a GGUF file is, in numbers, from its header and metadata alone.
struct GgufSummary {
    std::string path;
    std::uint32_t version = 0;
    std::uint64_t file_size = 0, alignment = 0, header_bytes = 0;
    std::string architecture;
    std::string name;
    std::optional<std::uint64_t> context_length, embedding_length, block_count, feed_forward_length, head_count,
        head_count_kv, vocab_size;
    std::optional<double> rope_freq_base, norm_eps;
    std::uint64_t tensor_count = 0;
    std::uint64_t weight_bytes = 0;
    std::vector<LayerSummary> layers; ///< embeddings, blk.0 … blk.N-1, output
    std::map<std::string, std::uint64_t> bytes_by_type;

    /// K and V cache bytes per token of context at F32, when the hyper-parameters are known.
    std::optional<std::uint64_t> kv_bytes_per_token() const
    {
        if (!block_count || !embedding_length || !head_count || *head_count == 0)
            return std::nullopt;
        const std::uint64_t kv_heads = head_count_kv.value_or(*head_count);
        const std::uint64_t head_dim = *embedding_length / *head_count;
        return 2 * *block_count * kv_heads * head_dim * sizeof(float);
    }
};

/// Summarises a GGUF file's header. Throws FormatError / IoError naming the file (also when
/// general.architecture is missing or a tensor names a block the model does not have).
EDGE_RT_API GgufSummary summarize_gguf(const std::filesystem::path& file);

} // namespace edge_rt
