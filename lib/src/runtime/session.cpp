#include "runtime/session.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::runtime {
namespace {

std::size_t checked_context(const model::ModelConfig& c, std::size_t requested)
{
    const std::size_t n_ctx = requested == 0 ? default_context_length(c) : requested;
    if (c.arch == model::Arch::Gpt2 && n_ctx > c.n_ctx_train)
        throw ConfigError(fmt::format("{}: context of {} tokens requested, but GPT-2 has learned positions "
                                      "for {} only",
                                      c.name, n_ctx, c.n_ctx_train));
    return n_ctx;
}

} // namespace

std::size_t default_context_length(const model::ModelConfig& config)
{
    return std::min<std::size_t>(config.n_ctx_train, 2048);
}

Session::Session(const Engine& engine, SessionOptions options)
    : engine_(engine), max_batch_(std::max<std::size_t>(options.max_batch, 1)),
      kv_(engine.config().n_layer, checked_context(engine.config(), options.n_ctx),
          static_cast<std::size_t>(engine.config().n_head_kv) * engine.config().head_dim())
{
}

void Session::check(std::span<const std::int32_t> tokens) const
{
    const auto& c = engine_.config();
    if (tokens.empty())
        throw ConfigError("no tokens to run");
    for (const auto id : tokens)
        if (id < 0 || static_cast<std::uint32_t>(id) >= c.n_vocab)
            throw ConfigError(fmt::format("token id {} is outside the vocabulary of {} tokens", id, c.n_vocab));
    if (pos_ + tokens.size() > kv_.n_ctx())
        throw ConfigError(fmt::format("{} tokens at position {} do not fit in the context of {} tokens "
                                      "(--ctx-size)",
                                      tokens.size(), pos_, kv_.n_ctx()));
}

std::span<const float> Session::forward(std::span<const std::int32_t> tokens, bool all_logits)
{
    check(tokens);
    const std::size_t n_vocab = engine_.config().n_vocab;
    logits_.resize((all_logits ? tokens.size() : 1) * n_vocab);
    for (std::size_t first = 0; first < tokens.size(); first += max_batch_) {
        const auto chunk = tokens.subspan(first, std::min(max_batch_, tokens.size() - first));
        const bool last_chunk = first + chunk.size() == tokens.size();
        // Logits are computed only where they are wanted: every row, or the prompt's last.
        float* out = all_logits ? logits_.data() + first * n_vocab : (last_chunk ? logits_.data() : nullptr);
        run_chunk(chunk, all_logits, out);
    }
    return logits_;
}

void Session::run_chunk(std::span<const std::int32_t> tokens, bool all_logits, float* logits)
{
    const auto& arch = engine_.arch();
    const auto& weights = engine_.weights();
    if (act_.capacity < tokens.size())
        act_.reserve(engine_.config(), tokens.size(), kv_.n_ctx());
    const std::size_t n_groups = arch.groups().size();
    arch.embed(weights.group(0), tokens, pos_, act_);
    for (std::uint32_t i = 0; i < engine_.config().n_layer; ++i)
        arch.layer(i, weights.group(1 + i), act_, kv_, pos_);
    pos_ += tokens.size();
    if (logits != nullptr) {
        const std::size_t rows = all_logits ? tokens.size() : 1;
        arch.output(weights.group(n_groups - 1), act_, rows, {logits, rows * engine_.config().n_vocab});
    }
}

std::size_t Session::bytes() const
{
    return kv_.bytes() + act_.bytes() + logits_.capacity() * sizeof(float);
}

} // namespace edge_rt::runtime
