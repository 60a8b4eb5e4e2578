// A transformer architecture as the runtime drives it: weight groups in execution order
// (embedding, each layer, output) and one forward step per group. The forward code never
// owns or reads weights: the caller passes views of whatever buffers hold a group right now,
// so a later runtime can stream groups from disk while the rest of the model is elsewhere.
#pragma once

#include "kernels/kernel_table.hpp"
#include "kernels/matmul.hpp"
#include "kernels/parallel.hpp"
#include "arch/activations.hpp"
#include "arch/kv_cache.hpp"
#include "model/model_config.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace edge_rt::model {

enum class GroupKind { Embedding, Layer, Output };

/// One weight tensor a group needs: its name in the TensorTable and its expected GGML shape
/// ({n} for a vector, {cols, rows} for a matrix).
struct WeightSpec {
    std::string name;
    std::vector<std::uint64_t> shape;
    /// Only rows [row_begin, row_end) of a matrix belong to the group (the output matrix split
    /// into parts); row_end 0 means all of them.
    std::uint64_t row_begin = 0;
    std::uint64_t row_end = 0;
};

struct WeightGroup {
    GroupKind kind = GroupKind::Layer;
    std::uint32_t layer = 0; // for GroupKind::Layer; the part number for GroupKind::Output
    std::vector<WeightSpec> weights;
    std::uint32_t parts = 1; // for GroupKind::Output: how many groups the output is split into
};

/// Views of a group's weights, in the order of its WeightGroup::weights.
using GroupWeights = std::span<const kernels::WeightView>;

class Architecture {
public:
    Architecture(const ModelConfig& config, const kernels::KernelTable& kernels);
    virtual ~Architecture() = default;
    Architecture(const Architecture&) = delete;
    Architecture& operator=(const Architecture&) = delete;

    const ModelConfig& config() const { return config_; }
    const kernels::KernelTable& kernels() const { return kernels_; }
    /// Where the matrix products split their rows (serial until the engine sets its pool);
    /// `parallel` must outlive every forward call.
    void set_parallel(const kernels::Parallel& parallel) { parallel_ = &parallel; }
    /// The embedding group, layers 0 .. n_layer-1, then the output group (or its parts).
    const std::vector<WeightGroup>& groups() const { return groups_; }
    const WeightGroup& embedding_group() const { return groups_.front(); }
    const WeightGroup& layer_group(std::uint32_t i) const { return groups_.at(1 + i); }

    /// Splits the output group into `parts` groups of consecutive vocabulary rows, the first
    /// also holding the final norm: a large output matrix then streams through slots no bigger
    /// than a layer. Each logit is the same dot product whatever the split.
    void split_output(std::uint32_t parts);
    /// The groups split_output(parts) would make of the unsplit output group `whole` (at most
    /// one per row), so a caller can size them before choosing.
    static std::vector<WeightGroup> output_parts(const WeightGroup& whole, std::uint32_t parts);

    /// Starts a batch: act.x receives the embeddings of `tokens`, the first at position `pos0`.
    virtual void embed(GroupWeights w, std::span<const std::int32_t> tokens, std::size_t pos0,
                       Activations& act) const = 0;
    /// Runs layer `i` over the batch in `act`, appending its keys and values to `kv` at pos0...
    virtual void layer(std::uint32_t i, GroupWeights w, Activations& act, KvCache& kv, std::size_t pos0) const = 0;
    /// Output group (or part) `g` with its views `w`: its rows of the logits of the last `n_rows`
    /// tokens of the batch, [n_rows][n_vocab] in `logits`. The part holding the final norm must
    /// run first; the other parts reuse the normalised rows it left in the activations.
    void output(const WeightGroup& g, GroupWeights w, Activations& act, std::size_t n_rows,
                std::span<float> logits) const;

protected:
    /// The final norm of activation rows first .. first+n-1 into act.xn; `w` are the output
    /// group's views without the matrix.
    virtual void output_norm(GroupWeights w, Activations& act, std::size_t first, std::size_t n) const = 0;
    /// After an output part wrote vocabulary rows [row0, row0+rows) of n_rows logit rows (V
    /// apart): adds what the architecture adds to them (Phi-2's output bias). Nothing by default.
    virtual void finish_logits(Activations& /*act*/, float* /*logits*/, std::size_t /*n_rows*/, std::size_t /*row0*/,
                               std::size_t /*rows*/) const
    {
    }
    /// Checks that `w` has as many views as group `g` has specs (a runtime wiring error otherwise).
    static void expect_group(GroupWeights w, const WeightGroup& g);
    /// Checks n_rows <= the batch and that `logits` holds n_rows rows of n_vocab values.
    void expect_logits(const Activations& a, std::size_t n_rows, std::span<float> logits) const;
    /// y = W x for n inputs through the kernel table, split across the parallel threads.
    void matmul(const kernels::WeightView& w, const float* x, std::size_t n, float* y, Activations& a) const;
    /// y_i = W_i x for matrices sharing the input x (quantised once, one round of tasks).
    void matmul_shared_input(std::span<const kernels::MatmulTarget> targets, const float* x, std::size_t n,
                             Activations& a) const;
    /// Attention of the n batch tokens (the first at position pos0) over the cache, one task
    /// per run of (token, head) pairs across the parallel threads: heads are independent, so
    /// the result is the same for any thread count. q rows are q_stride floats apart, out rows
    /// n_embd; k/v are the layer's cache rows (kv_stride floats apart).
    void attend(const float* q, std::size_t q_stride, const float* k, const float* v, std::size_t kv_stride,
                std::size_t n_head_kv, std::size_t n, std::size_t pos0, float* out) const;
    /// Rotates the first n_rot dimensions of `n_heads` heads at `x` for position `pos`, with the
    /// config's pairing, base and frequency factors (scaled RoPE) when it has them.
    void rope(float* x, std::size_t n_heads, std::size_t pos) const;
    /// y[t] += bias for each of n rows of `dim` values (`scratch` receives the decoded bias).
    void add_bias(float* y, const kernels::WeightView& bias, std::size_t n, std::size_t dim,
                  std::vector<float>& scratch) const;
    /// Decodes a 1-D weight (any supported type) into `scratch` and returns its floats.
    static const float* vector_of(const kernels::WeightView& v, std::vector<float>& scratch);

    ModelConfig config_;
    const kernels::KernelTable& kernels_;
    const kernels::Parallel* parallel_ = &kernels::serial();
    std::vector<WeightGroup> groups_;
};

/// The Llama or GPT-2 implementation for `config`. Throws FormatError for hyper-parameters
/// the architecture cannot run (odd RoPE dimensions, GPT-2 with grouped KV heads, …).
std::unique_ptr<Architecture> make_architecture(const ModelConfig& config,
                                                const kernels::KernelTable& kernels = kernels::scalar_kernels());

} // namespace edge_rt::model
