// `serve`: load the model, then run the OpenAI-compatible service on it until SIGINT/SIGTERM.
// The bound address goes to stderr ("listening on http://HOST:PORT") once it accepts.
#include "commands.hpp"
#include "options.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/runtime.hpp"
#include "edge_rt/server.hpp"

#include <asio/signal_set.hpp>
#include <csignal>
#include <fmt/format.h>
#include <iostream>
#include <optional>

namespace edge_rt::cli {

int serve_command(const std::vector<std::string>& args)
{
    ServeOptions o = parse_serve_options(args);
    if (o.help) {
        std::cout << serve_usage();
        return 0;
    }
    if (!o.quiet)
        o.server.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
    o.runtime.monitor.on_change = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };

    asio::io_context io(1);
    std::optional<Server> server;
    int status = 0;
    bool stopping = false; // a signal during the load: drop the model instead of serving it
    async_load(io, o.model, o.runtime, [&](std::exception_ptr error, Model model) {
        try {
            if (error)
                std::rethrow_exception(error);
            if (stopping)
                return;
            server.emplace(std::move(model), o.server);
            fmt::print(stderr, "listening on http://{}:{}\n", server->host(), server->port());
        } catch (const ConfigError& e) {
            fmt::print(stderr, "edge-rt-async serve: {}\n", e.what());
            status = kExitUsage;
            io.stop();
        } catch (const std::exception& e) {
            fmt::print(stderr, "edge-rt-async serve: {}\n", e.what());
            status = kExitFailure;
            io.stop();
        }
    });
    // A signal stops the server: connections close, generations cancel, sessions and then the
    // model are freed, and run() returns once the engine has shut down on the io_context.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code ec, int signal) {
        if (ec)
            return;
        fmt::print(stderr, "{}: stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
        stopping = true;
        server.reset();
    });
    io.run();
    server.reset();
    return status;
}

} // namespace edge_rt::cli
