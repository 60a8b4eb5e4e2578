// Hyper-parameters of a transformer, normalised from GGUF metadata or a Hugging Face
// config.json, so architecture builders never look at file formats.
#pragma once

#include <cstdint>
#include <string>

namespace edge_rt::model {

enum class Arch { Llama, Gpt2 };

/// How RoPE pairs dimensions: GGUF Llama files rotate adjacent pairs (x0,x1), (x2,x3)…;
/// Hugging Face Llama checkpoints rotate the two halves of each head (x_i, x_{i+d/2}).
enum class RopeStyle { Interleaved, Halves };

struct ModelConfig {
    Arch arch = Arch::Llama;
    std::string arch_name;          // "llama", "gpt2" as the file says
    std::string name;               // general.name or the folder name, for display
    std::uint32_t n_vocab = 0;
    std::uint32_t n_embd = 0;
    std::uint32_t n_layer = 0;
    std::uint32_t n_head = 0;
    std::uint32_t n_head_kv = 0;    // == n_head without grouped-query attention
    std::uint32_t n_ff = 0;         // feed-forward hidden size
    std::uint32_t n_ctx_train = 0;  // the model's context length
    std::uint32_t n_rot = 0;        // RoPE dimensions per head (llama), head_dim by default
    float rope_freq_base = 10000.0f;
    float norm_eps = 1e-5f;
    bool tied_output = false;       // output matrix is the token embedding
    RopeStyle rope_style = RopeStyle::Interleaved;

    std::uint32_t head_dim() const { return n_embd / n_head; }
};

} // namespace edge_rt::model
