// Hyper-parameters of a transformer, normalised from GGUF metadata or a Hugging Face
// config.json, so architecture builders never look at file formats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edge_rt::model {

/// Llama and Qwen2 share one implementation (Qwen2 adds q/k/v biases); Phi-2 has its own.
enum class Arch { Llama, Gpt2, Qwen2, Phi2 };

/// How RoPE pairs dimensions: GGUF Llama files rotate adjacent pairs (x0,x1), (x2,x3)…;
/// Hugging Face checkpoints, and GGUF Qwen2/Phi-2 (GGML's NEOX mode), rotate the two halves
/// of the rotated dimensions (x_i, x_{i+n_rot/2}).
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
    /// Scaled RoPE: pair i's angle is divided by rope_freq_factors[i] (n_rot/2 values; empty
    /// means no scaling). Llama 3's rope_freqs tensor or rope_scaling, or linear scaling.
    std::vector<float> rope_freq_factors;
    bool qkv_bias = false;  // q/k/v projections carry biases (Qwen2; Phi-2 has biases everywhere)
    bool fused_qkv = false; // Phi-2: one attn_qkv matrix (rows q, k, v) instead of three

    std::uint32_t head_dim() const { return n_embd / n_head; }
};

} // namespace edge_rt::model
