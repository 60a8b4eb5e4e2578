// An OpenAI-compatible HTTP/1.1 service over a loaded Model, on the model's io_context:
// POST /v1/chat/completions and /v1/completions (streamed as server-sent events or whole),
// GET /v1/models, GET /health, GET /metrics (Prometheus text). docs/SERVICE.md describes the
// endpoints, what is strict and every error.
//
// Everything runs on the one io_context thread the model already uses: accepting, parsing,
// writing and the generations' completions interleave there; compute runs on the model's pool.
// Each completion request gets its own Session (its own KV cache, freed when the request ends);
// their forward passes take turns on the model's pass lock.
#pragma once

#include "edge_rt/export.hpp"
#include "edge_rt/model.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace edge_rt {

/// What the service listens on and the limits it enforces.
struct ServerConfig {
    /// Address to bind; loopback unless told otherwise.
    std::string host = "127.0.0.1";
    /// Port; 0 picks a free one (Server::port() reports it).
    unsigned short port = 0;
    /// The model id /v1/models lists and responses carry; empty = the model's name.
    std::string model_id{};
    /// The model file or folder, to read its chat template from (GGUF tokenizer.chat_template,
    /// or chat_template in the folder's tokenizer_config.json); empty = none.
    std::string model_path{};
    /// A built-in chat template by name ("chatml", "llama3", …) instead of the model's; empty =
    /// the model's, or chatml when it has none.
    std::string chat_template{};
    /// Completion requests generating at once; more get 429 with Retry-After.
    std::size_t max_sessions = 4;
    /// Open connections at once; more get 503 with Retry-After and are closed.
    std::size_t max_connections = 64;
    /// Seconds a refused client is told to wait (Retry-After).
    unsigned retry_after_s = 1;
    /// Request body limit in bytes (413 beyond it) and request head limit (431 beyond it).
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_head_bytes = 16 * 1024;
    /// Milliseconds a request may take to arrive once it started (408 beyond it).
    unsigned header_timeout_ms = 10'000;
    /// Milliseconds a kept-alive connection may sit idle between requests before it is closed.
    unsigned idle_timeout_ms = 60'000;
    /// Context length of each request's session; 0 = the model's.
    std::size_t ctx_size = 0;
    /// Required `Authorization: Bearer <key>` when non-empty (compared in constant time; never
    /// logged).
    std::string api_key{};
    /// Called with one line per request (method, path, status, tokens); optional.
    std::function<void(const std::string& line)> log{};
};

/// The service. Construct it on a loaded model (it binds and listens at once), then keep the
/// model's io_context running; stop() (or destruction) closes it.
class EDGE_RT_API Server {
public:
    /// Binds `config.host:config.port` and starts accepting on the model's io_context. Throws
    /// ConfigError for a bad address or setting, IoError when the address cannot be bound.
    Server(Model model, ServerConfig config);
    /// Stops (see stop()).
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// The bound address and port.
    std::string host() const;
    unsigned short port() const;

    /// Stops accepting and closes every connection; running generations are cancelled and
    /// their sessions freed as they complete on the io_context. Idempotent.
    void stop();

    struct State; ///< internal (opaque to users)

private:
    std::shared_ptr<State> state_;
};

} // namespace edge_rt
