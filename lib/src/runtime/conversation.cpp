#include "runtime/conversation.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <stdexcept>
#include <fmt/format.h>

namespace edge_rt::runtime {

Conversation::Conversation(Engine& engine, ConversationOptions options)
    // Chunks never exceed what the engine planned its activations and embedding rows for.
    : engine_(engine),
      max_batch_(std::min(options.max_batch ? options.max_batch : engine.max_batch(),
                          std::min(engine.max_batch(), engine.n_ctx()))),
      // A session's own context (0: the engine's), still bounded by GPT-2's learned positions.
      kv_(engine.config().n_layer,
          checked_context_length(engine.config(), options.n_ctx ? options.n_ctx : engine.n_ctx(), engine.config().name),
          static_cast<std::size_t>(engine.config().n_head_kv) * engine.config().head_dim()),
      kv_charge_(engine.budget(), kv_.bytes(), "the KV cache")
{
    // Sized once for the largest chunk, so the charge is exact and never grows mid-run.
    const std::size_t batch = std::min(max_batch_, kv_.n_ctx());
    act_charge_ = memory::Charge(engine.budget(), model::Activations::bytes_for(engine.config(), batch, kv_.n_ctx()),
                                 "the activations");
    act_.reserve(engine.config(), batch, kv_.n_ctx());
    logits_charge_ = memory::Charge(engine.budget(), 0, "the logits");
    size_logits(1);
}

void Conversation::size_logits(std::size_t rows)
{
    const std::size_t n = rows * engine_.config().n_vocab;
    if (logits_.capacity() < n) {
        logits_charge_.resize(n * sizeof(float)); // throws BudgetError before allocating
        std::vector<float>(n).swap(logits_);
    }
    logits_.resize(n);
}

void Conversation::rewind(std::size_t position)
{
    if (position > pos_)
        throw std::logic_error(fmt::format("cannot rewind to position {}: only {} tokens were run", position, pos_));
    pos_ = position;
}

void Conversation::reserve_logit_rows(std::size_t rows)
{
    size_logits(std::max(rows, std::size_t{1})); // forward() resizes within this capacity
}

// The one check of tokens against the vocabulary and the context: every prompt and every
// generated token passes here before anything is computed.
void Conversation::check(std::span<const std::int32_t> tokens) const
{
    const auto& c = engine_.config();
    if (tokens.empty())
        throw ConfigError("no tokens to run");
    for (const auto id : tokens)
        if (id < 0 || static_cast<std::uint32_t>(id) >= c.n_vocab)
            throw ConfigError(fmt::format("token id {} is outside the vocabulary of {} tokens", id, c.n_vocab));
    if (pos_ + tokens.size() > kv_.n_ctx()) {
        if (pos_ == 0)
            throw ConfigError(
                fmt::format("the prompt has {} tokens, more than the context of {}", tokens.size(), kv_.n_ctx()));
        throw ConfigError(fmt::format("{} tokens at position {} are more than the context of {} tokens",
                                      tokens.size(), pos_, kv_.n_ctx()));
    }
}

std::span<const float> Conversation::forward(std::span<const std::int32_t> tokens, bool all_logits,
                                        exec::StopSource* stop)
{
    return engine_.executor().run_blocking(forward_async(tokens, all_logits, stop));
}

asio::awaitable<std::span<const float>> Conversation::forward_async(std::span<const std::int32_t> tokens, bool all_logits,
                                                               exec::StopSource* stop)
{
    check(tokens);
    const std::size_t n_vocab = engine_.config().n_vocab;
    size_logits(all_logits ? tokens.size() : 1);
    // Weights stream once per chunk: prefill is batched through each group.
    for (std::size_t first = 0; first < tokens.size(); first += max_batch_) {
        const auto chunk = tokens.subspan(first, std::min(max_batch_, tokens.size() - first));
        const bool last_chunk = first + chunk.size() == tokens.size();
        // Logits are computed only where they are wanted: every row, or the prompt's last.
        const std::size_t rows = all_logits ? chunk.size() : (last_chunk ? 1 : 0);
        float* out = all_logits ? logits_.data() + first * n_vocab : logits_.data();
        co_await engine_.forward({chunk, pos_, &act_, &kv_, rows, {out, rows * n_vocab}, nullptr}, stop);
        pos_ += chunk.size();
    }
    co_return std::span<const float>(logits_);
}

std::size_t Conversation::bytes() const
{
    return kv_.bytes() + act_.bytes() + logits_.capacity() * sizeof(float);
}

} // namespace edge_rt::runtime
