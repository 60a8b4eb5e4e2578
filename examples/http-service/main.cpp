// edge-rt-http: the OpenAI-compatible service embedded in a program of your own, on YOUR
// io_context. The model and the server share it with whatever else the program runs (here a
// timer that prints the server's state every 10 s).
//
//   edge-rt-http MODEL.gguf [PORT]
//
// Then: curl http://127.0.0.1:PORT/v1/completions -d '{"prompt": "Once upon a time", "max_tokens": 32}'
#include "edge_rt/runtime.hpp"
#include "edge_rt/server.hpp"

#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: edge-rt-http MODEL [PORT]\n");
        return 2;
    }
    asio::io_context io(1);
    std::optional<edge_rt::Server> server;
    edge_rt::RuntimeConfig runtime; // a named variable: see README "Embedding" on GCC 12
    runtime.threads = 2;

    edge_rt::async_load(io, argv[1], runtime, [&](std::exception_ptr error, edge_rt::Model model) {
        try {
            if (error)
                std::rethrow_exception(error);
            edge_rt::ServerConfig config;
            config.port = static_cast<unsigned short>(argc > 2 ? std::atoi(argv[2]) : 0);
            config.model_path = argv[1];
            server.emplace(std::move(model), config);
            std::fprintf(stderr, "listening on http://%s:%u\n", server->host().c_str(), server->port());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "edge-rt-http: %s\n", e.what());
            io.stop();
        }
    });

    // The program's own work on the same io_context.
    asio::steady_timer tick(io);
    std::function<void()> schedule = [&] {
        tick.expires_after(std::chrono::seconds(10));
        tick.async_wait([&](std::error_code ec) {
            if (!ec && server)
                std::fprintf(stderr, "still serving on port %u\n", server->port());
            if (!ec)
                schedule();
        });
    };
    schedule();

    // Ctrl-C: stop the server (its generations are cancelled) and the timer; run() then returns
    // once the model's engine has shut down.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code ec, int) {
        if (ec)
            return;
        tick.cancel();
        if (server)
            server->stop();
        server.reset();
    });
    io.run();
    return 0;
}
