// The state behind the public handles edge_rt::Model and edge_rt::Session.
#pragma once

#include "edge_rt/model.hpp"
#include "edge_rt/session.hpp"
#include "tokenizer/tokenizer.hpp"
#include "monitor/monitor.hpp"
#include "runtime/engine.hpp"
#include "runtime/conversation.hpp"

#include <algorithm>
#include <memory>
#include <optional>

namespace edge_rt {

struct Model::State {
    explicit State(asio::io_context& io_context) : io(io_context) {}

    asio::io_context& io;
    std::unique_ptr<runtime::Engine> engine;
    // Speculative decoding's draft model (RuntimeConfig::draft_model_path), fully resident under
    // its own share of the budget; null = none.
    std::unique_ptr<runtime::Engine> draft;
    std::size_t draft_max = 8; // RuntimeConfig::draft_max (or 8)
    std::unique_ptr<model::Tokenizer> tokenizer; // null: the model has none (ids only)
    std::optional<std::int32_t> bos, eos;
    ModelInfo info;
    PlanInfo plan;
    std::unique_ptr<monitor::Monitor> monitor; // null: RuntimeConfig::monitor.enabled was false
    std::size_t sessions = 0;
    std::size_t active = 0; // generations running (the monitor samples while there are any)
};

struct Session::State {
    State(Model m, std::size_t ctx_size)
        : model(std::move(m)), session(*model.state()->engine, {.n_ctx = ctx_size})
    {
        // The draft follows the same context; its KV cache is charged to the draft's share.
        if (auto& d = model.state()->draft)
            draft.emplace(*d, runtime::ConversationOptions{.n_ctx = std::min(session.n_ctx(), d->n_ctx())});
        ++model.state()->sessions;
    }
    ~State() { --model.state()->sessions; }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    Model model;
    runtime::Conversation session;
    std::optional<runtime::Conversation> draft; // when the model has a draft model
    bool busy = false;
    // The conversation's tokens; the KV cache holds the first session.position() of them (the
    // last sampled token, and a prompt a cancelled prefill left part-way, are not yet in it).
    std::vector<std::int32_t> history;
};

namespace api {
/// A Model over loaded state; the last handle shuts the engine down on its io_context.
Model make_model(std::unique_ptr<Model::State> state);
} // namespace api

} // namespace edge_rt
