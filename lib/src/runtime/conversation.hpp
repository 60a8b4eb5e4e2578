// One conversation with a model: the KV cache, the activations, the logits and the position,
// every byte charged to the engine's budget. A prompt runs as a batch through each group
// (matrix x matrix), generated tokens one at a time; each forward() is one or more passes of
// the engine's pipeline.
#pragma once

#include "memory/charge.hpp"
#include "arch/activations.hpp"
#include "arch/kv_cache.hpp"
#include "runtime/engine.hpp"

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace edge_rt::runtime {

struct ConversationOptions {
    std::size_t n_ctx = 0;     // context length in tokens; 0 = the engine's (what it planned for)
    std::size_t max_batch = 0; // longer prompts run in chunks of this many tokens; 0 = the engine's
};

class Conversation {
public:
    /// Throws ConfigError when the context cannot be had (GPT-2 has no positions beyond its
    /// trained context), BudgetError when the engine's budget cannot cover the session.
    explicit Conversation(Engine& engine, ConversationOptions options = {});

    std::size_t n_ctx() const { return kv_.n_ctx(); }
    /// Tokens processed so far: the position the next token will take.
    std::size_t position() const { return pos_; }

    /// Runs `tokens` at the next positions and returns the logits of the last one ([n_vocab]),
    /// or of every one ([tokens.size()][n_vocab]) when `all_logits`. Throws ConfigError from
    /// check() before computing anything; Cancelled once `*stop` is set (the position is then
    /// that of the last whole chunk).
    std::span<const float> forward(std::span<const std::int32_t> tokens, bool all_logits = false,
                                   exec::StopSource* stop = nullptr);
    /// The same, as a coroutine on the engine's io_context.
    asio::awaitable<std::span<const float>> forward_async(std::span<const std::int32_t> tokens, bool all_logits,
                                                          exec::StopSource* stop = nullptr);
    /// Throws ConfigError for no tokens, ids outside the vocabulary, or more tokens than the
    /// context has room for after position().
    void check(std::span<const std::int32_t> tokens) const;

    /// Forgets every position (the cache is overwritten as the new sequence grows).
    void reset() { pos_ = 0; }
    /// Keeps the first `position` tokens and forgets the rest: after a speculative pass, the
    /// rejected draft tokens' KV entries are simply overwritten by what runs next. Throws
    /// std::logic_error for a position past position().
    void rewind(std::size_t position);
    /// Makes room for `rows` rows of logits (forward with all_logits over that many tokens),
    /// charged to the budget now: BudgetError here rather than in the middle of a generation.
    void reserve_logit_rows(std::size_t rows);

    Engine& engine() { return engine_; }
    /// Bytes the session holds: KV cache, activations and logits.
    std::size_t bytes() const;

private:
    void size_logits(std::size_t rows);

    Engine& engine_;
    std::size_t max_batch_;
    model::KvCache kv_;
    memory::Charge kv_charge_;
    model::Activations act_;
    memory::Charge act_charge_;
    std::vector<float> logits_;
    memory::Charge logits_charge_;
    std::size_t pos_ = 0;
};

} // namespace edge_rt::runtime
