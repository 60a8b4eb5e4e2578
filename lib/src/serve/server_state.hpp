// The state one Server shares with its connections: settings, the model, the chat format,
// the open connections and the counters /metrics reports. Connections hold it by shared_ptr,
// so it outlives a Server stopped while generations are still completing.
#pragma once

#include "edge_rt/server.hpp"
#include "serve/chat_prompt.hpp"
#include "serve/http_request.hpp"

#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <set>

namespace edge_rt {

struct Server::State {
    State(Model m, ServerConfig c) : model(std::move(m)), config(std::move(c)), acceptor(model.io()) {}

    Model model;
    ServerConfig config;
    serve::ChatFormat chat;
    serve::Limits limits;
    std::string model_id;
    std::int64_t created = 0; // Unix seconds of the start, /v1/models' "created"
    asio::ip::tcp::acceptor acceptor;
    std::set<asio::ip::tcp::socket*> connections; // closed by stop()
    bool stopping = false;
    std::size_t active_sessions = 0;

    struct Counters {
        std::uint64_t requests = 0;
        std::uint64_t completions = 0;
        std::uint64_t prompt_tokens = 0;
        std::uint64_t completion_tokens = 0;
        std::uint64_t cancelled = 0;      // the client went away mid-generation
        std::uint64_t rejected_busy = 0;  // 429: over max_sessions
        std::uint64_t rejected_conns = 0; // 503: over max_connections
        std::uint64_t errors = 0;         // answered with a 4xx/5xx
    } counters;

    void log(const std::string& line) const
    {
        if (config.log)
            config.log(line);
    }
};

} // namespace edge_rt
