// Hugging Face tensor names and layouts mapped to the GGUF names and GGML shapes the
// architecture builders expect, derived from the model's hyper-parameters.
#pragma once

#include "model/model_config.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::model {

/// One tensor a model of this configuration has.
struct HfTensorSpec {
    std::string hf_name;              // without the transformer./model. prefix
    std::string gguf_name;            // blk.N.attn_qkv.weight, …
    std::vector<std::uint64_t> shape; // GGML order (shape[0] is the row length)
    /// GPT-2 Conv1D weight, stored [in][out]: the file's bytes are the transpose of `shape`.
    bool conv1d = false;
    bool required = true;
    bool prefixable = true; // lm_head.weight never carries the prefix
};

class HfTensorNames {
public:
    /// The tensors of `config`'s architecture; output.weight is required only when
    /// `output_required` (config.json does not tie it to the embedding).
    HfTensorNames(const ModelConfig& config, bool output_required);

    /// The spec for a name as it appears in a file (with or without the prefix), or nullptr.
    const HfTensorSpec* find(std::string_view file_name) const;
    /// True for the non-weight buffers some checkpoints save (GPT-2's attention masks,
    /// Llama's rotary inverse frequencies): skipped, whatever their dtype.
    bool ignorable(std::string_view file_name) const;
    /// The shape as the file stores it (PyTorch order) for messages and checks.
    static std::vector<std::uint64_t> file_shape(const HfTensorSpec& spec);

    const std::vector<HfTensorSpec>& specs() const { return specs_; }
    std::string_view prefix() const { return prefix_; }

private:
    void add(std::string hf, std::string gguf, std::vector<std::uint64_t> shape, bool conv1d = false);
    void add_gpt2(const ModelConfig& c);
    void add_llama(const ModelConfig& c);
    void add_phi(const ModelConfig& c);

    Arch arch_;
    std::string prefix_;
    std::vector<HfTensorSpec> specs_;
    std::map<std::string, std::size_t, std::less<>> by_hf_name_;
};

} // namespace edge_rt::model
