// One conversation with a model: the KV cache, the activations, and the position. A prompt
// runs as a batch through each layer (matrix x matrix), generated tokens one at a time.
#pragma once

#include "model/arch/activations.hpp"
#include "model/arch/kv_cache.hpp"
#include "runtime/engine.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace edge_rt::runtime {

struct SessionOptions {
    std::size_t n_ctx = 0;       // context length in tokens; 0 = default_context_length()
    std::size_t max_batch = 512; // longer prompts run in chunks of this many tokens
};

/// min(the model's trained context, 2048).
std::size_t default_context_length(const model::ModelConfig& config);

class Session {
public:
    /// Throws ConfigError when the context cannot be had (GPT-2 has no positions beyond its
    /// trained context).
    explicit Session(const Engine& engine, SessionOptions options = {});

    std::size_t n_ctx() const { return kv_.n_ctx(); }
    /// Tokens processed so far: the position the next token will take.
    std::size_t position() const { return pos_; }

    /// Runs `tokens` at the next positions and returns the logits of the last one ([n_vocab]),
    /// or of every one ([tokens.size()][n_vocab]) when `all_logits`. Throws ConfigError for ids
    /// outside the vocabulary or a context overflow, before computing anything.
    std::span<const float> forward(std::span<const std::int32_t> tokens, bool all_logits = false);

    /// Forgets every position (the cache is overwritten as the new sequence grows).
    void reset() { pos_ = 0; }

    /// Bytes the session holds: KV cache, activations and logits.
    std::size_t bytes() const;

private:
    void run_chunk(std::span<const std::int32_t> tokens, bool all_logits, float* logits);
    void check(std::span<const std::int32_t> tokens) const;

    const Engine& engine_;
    std::size_t max_batch_;
    model::KvCache kv_;
    model::Activations act_;
    std::vector<float> logits_;
    std::size_t pos_ = 0;
};

} // namespace edge_rt::runtime
