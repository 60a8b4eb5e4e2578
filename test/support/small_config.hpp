// A small Llama configuration for tests that build or write a model of chosen shape.
#pragma once

#include "model/model_config.hpp"

#include <cstdint>
#include <string>

namespace edge_rt::test {

/// Llama, n_embd 64, 4 heads over 2 KV heads (head size 16, all rotated), n_ff 128, a
/// 64-token context; `n_layer` layers and an `n_vocab` vocabulary.
inline model::ModelConfig small_llama_config(std::string name, std::uint32_t n_layer, std::uint32_t n_vocab)
{
    model::ModelConfig c;
    c.arch = model::Arch::Llama;
    c.arch_name = "llama";
    c.name = std::move(name);
    c.n_embd = 64;
    c.n_layer = n_layer;
    c.n_head = 4;
    c.n_head_kv = 2;
    c.n_ff = 128;
    c.n_vocab = n_vocab;
    c.n_ctx_train = 64;
    c.n_rot = 16;
    return c;
}

} // namespace edge_rt::test
