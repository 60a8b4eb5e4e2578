// edge-rt-http: an example service embedding edge-rt-async on ONE io_context.
//
//   edge-rt-http --model MODEL.gguf [--host 127.0.0.1] [--port 8080] [--threads N]
//                [--budget BYTES] [--ctx-size N]
//
//   POST /generate  {"prompt": "...", "max_tokens": 64, "temperature": 0.8, "seed": 1, ...}
//                   -> text/event-stream: one `data:` event per token, then `event: done`
//   GET  /health    -> {"status": "ok", "model_loaded": true}, at once, even while generating
//   GET  /metrics   -> the runtime's and the service's counters
//
// Listens on loopback unless told otherwise; prints "listening on HOST:PORT" once it accepts
// (port 0 picks a free one), and serves /health while the model is still loading.
#include "service.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using asio::ip::tcp;
using namespace edge_rt;

struct Options {
    std::string model;
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    RuntimeConfig runtime;
};

[[noreturn]] void usage(const char* problem)
{
    std::fprintf(stderr, "edge-rt-http: %s\nusage: edge-rt-http --model MODEL [--host H] [--port P] [--threads N] "
                         "[--budget BYTES] [--ctx-size N] [--monitor-ms MS]\n", problem);
    std::exit(2);
}

unsigned long long number(const std::string& flag, const char* text)
{
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (!*text || *end)
        usage((flag + " needs a number").c_str());
    return v;
}

Options parse(int argc, char** argv)
{
    Options o;
    // Throttle under memory pressure and heat, as the CLI does: the generation loop applies the
    // monitor's limits at every token boundary.
    o.runtime.monitor.enabled = true;
    o.runtime.monitor.on_change = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc)
            usage((flag + " needs a value (or is unknown)").c_str());
        const char* value = argv[++i];
        if (flag == "--model") o.model = value;
        else if (flag == "--host") o.host = value;
        else if (flag == "--port") o.port = static_cast<unsigned short>(number(flag, value));
        else if (flag == "--threads") o.runtime.threads = static_cast<unsigned>(number(flag, value));
        else if (flag == "--budget") o.runtime.budget_bytes = number(flag, value);
        else if (flag == "--ctx-size") o.runtime.ctx_size = number(flag, value);
        else if (flag == "--monitor-ms") o.runtime.monitor.interval_ms = static_cast<unsigned>(number(flag, value));
        else usage(("unknown option " + flag).c_str());
    }
    if (o.model.empty())
        usage("--model is required");
    if (o.runtime.monitor.interval_ms == 0)
        usage("--monitor-ms must be at least 1");
    return o;
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, service::Service& svc)
{
    while (!svc.stopping) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
        if (ec)
            break; // closed on shutdown
        socket.set_option(tcp::no_delay(true));
        asio::co_spawn(acceptor.get_executor(), service::serve_connection(std::move(socket), svc), asio::detached);
    }
}

} // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);
    asio::io_context io(1);
    service::Service svc(io);
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address(o.host), o.port));
    std::printf("listening on %s:%u\n", o.host.c_str(), acceptor.local_endpoint().port());
    std::fflush(stdout);

    async_load(io, o.model, o.runtime, [&svc](std::exception_ptr e, Model m) {
        try {
            if (e)
                std::rethrow_exception(e);
            svc.model = std::move(m);
            std::printf("model loaded: %s\n", svc.model.info().name.c_str());
        } catch (const std::exception& error) {
            svc.load_error = error.what();
            std::printf("model failed to load: %s\n", error.what());
        }
        std::fflush(stdout);
    });
    asio::co_spawn(io, accept_loop(acceptor, svc), asio::detached);
    asio::co_spawn(io, service::probe_loop_lag(svc), asio::detached);

    // SIGINT/SIGTERM: stop accepting, close every connection (their generations cancel), free
    // the model; run() returns once the engine has shut down.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code ec, int) {
        if (ec)
            return;
        svc.stopping = true;
        std::error_code ignored;
        acceptor.close(ignored);
        for (auto* socket : svc.connections)
            socket->close(ignored);
        svc.model = {};
    });
    io.run();
    std::printf("stopped\n");
    return 0;
}
