// One connection: read a request within the limits, route it, answer; POST /generate streams
// server-sent events and ends the connection. Everything runs on the one io_context: reads,
// writes and the generation's completions interleave, compute runs on the model's pool.
#include "generate_body.hpp"
#include "service.hpp"
#include "sse_stream.hpp"

#include <algorithm>
#include <array>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <nlohmann/json.hpp>

namespace edge_rt::service {
namespace {

using asio::ip::tcp;
using nlohmann::json;
constexpr auto as_tuple_awaitable = asio::experimental::as_tuple(asio::use_awaitable);

json error_body(const std::string& message) { return json{{"error", message}}; }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

asio::awaitable<void> respond(tcp::socket& socket, int status, const json& body, bool keep_alive)
{
    const std::string text = dump(body) + "\n";
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_phrase(status)) +
                      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) +
                      (keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n") + text;
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
}

// Appends what the socket has to `buffer`; false at end of stream or on error.
asio::awaitable<bool> read_more(tcp::socket& socket, std::string& buffer)
{
    std::array<char, 4096> chunk;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), as_tuple_awaitable);
    if (ec)
        co_return false;
    buffer.append(chunk.data(), n);
    co_return true;
}

// Reads one request; nullopt when the peer closed. Throws HttpError for a refused request.
asio::awaitable<std::optional<Request>> read_request(tcp::socket& socket, std::string& buffer, const Limits& limits)
{
    std::size_t head_end;
    while ((head_end = find_head_end(buffer, limits)) == std::string::npos)
        if (!co_await read_more(socket, buffer))
            co_return std::nullopt;
    Request r = parse_head(std::string_view(buffer).substr(0, head_end), limits);
    buffer.erase(0, head_end);
    if (r.method == "POST" && !r.header("content-length"))
        throw HttpError(411, "POST needs a Content-Length");
    while (buffer.size() < r.content_length)
        if (!co_await read_more(socket, buffer))
            co_return std::nullopt;
    r.body = buffer.substr(0, r.content_length);
    buffer.erase(0, r.content_length);
    co_return r;
}

json lag_json(std::vector<double> lag)
{
    if (lag.empty())
        return json::object();
    std::sort(lag.begin(), lag.end());
    return {{"samples", lag.size()}, {"p50", lag[lag.size() / 2]}, {"p99", lag[lag.size() * 99 / 100]},
            {"max", lag.back()}};
}

json metrics_json(const Service& s)
{
    json j = {{"requests", s.requests}, {"generations", s.generations}, {"cancelled", s.cancelled},
              {"client_disconnects", s.disconnects}, {"model_loaded", s.model.valid()},
              {"loop_lag_ms", lag_json(s.loop_lag_ms)}};
    if (s.model.valid()) {
        const auto m = s.model.metrics();
        j["model"] = {{"name", s.model.info().name},       {"load_ms", m.load_ms},
                      {"budget_bytes", m.budget_bytes},    {"budget_used_bytes", m.budget_used_bytes},
                      {"budget_peak_bytes", m.budget_peak_bytes}, {"passes", m.passes},
                      {"wall_ms", m.wall_ms},              {"compute_ms", m.compute_ms},
                      {"io_ms", m.io_ms},                  {"stall_ms", m.stall_ms},
                      {"bytes_read", m.bytes_read},        {"sessions", m.sessions},
                      {"active_generations", m.active_generations}};
    }
    return j;
}

const char* stop_name(StopReason r)
{
    switch (r) {
    case StopReason::MaxTokens: return "max_tokens";
    case StopReason::Eos: return "eos";
    case StopReason::ContextFull: return "context_full";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::Error: return "error";
    }
    return "error";
}

// What a running generation shares with the disconnect watcher and the writer.
struct Generation {
    asio::cancellation_signal signal;
    bool done = false;
    void cancel()
    {
        if (!done)
            signal.emit(asio::cancellation_type::terminal);
    }
};

// The client sends nothing more after its request: any read completion means it closed (or
// misbehaves); either way its generation stops.
asio::awaitable<void> watch_disconnect(tcp::socket& socket, std::shared_ptr<Generation> g, Service& service)
{
    std::array<char, 256> sink;
    co_await socket.async_read_some(asio::buffer(sink), as_tuple_awaitable);
    if (!g->done) {
        ++service.disconnects;
        g->cancel();
    }
}

asio::awaitable<void> generate(tcp::socket& socket, Service& service, const Request& request)
{
    if (!service.model.valid()) {
        // (JSON built before co_await: GCC 12 miscompiles braced temporaries across a suspension.)
        const json body = error_body(service.load_error.empty() ? std::string("the model is still loading")
                                                                : "the model failed to load: " + service.load_error);
        co_await respond(socket, 503, body, false);
        co_return;
    }
    auto body = parse_generate_body(request.body); // HttpError 400
    Session session(service.model);
    auto g = std::make_shared<Generation>();
    auto stream = std::make_shared<SseStream>(socket, [g] { g->cancel(); });
    ++service.generations;
    asio::co_spawn(socket.get_executor(), watch_disconnect(socket, g, service), asio::detached);
    auto on_token = [&stream](const TokenEvent& t) {
        stream->send("", dump({{"token", t.id}, {"text", t.text}, {"index", t.metrics.index}, {"ms", t.metrics.ms}}));
    };
    auto outcome = co_await async_generate(session, std::move(body), on_token,
                                           asio::bind_cancellation_slot(g->signal.slot(), as_tuple_awaitable));
    const std::error_code ec = std::get<0>(outcome);
    const GenerateResult& result = std::get<1>(outcome);
    g->done = true;
    if (ec == asio::error::operation_aborted)
        ++service.cancelled;
    if (ec == GenerateErrc::BadRequest && !stream->started()) {
        const json error = error_body(result.error);
        co_await respond(socket, 400, error, false);
        co_return;
    }
    stream->send(ec ? "error" : "done", dump({{"text", result.text}, {"tokens", result.tokens},
                                              {"prompt_tokens", result.prompt_ids.size()},
                                              {"stop", stop_name(result.stop)}, {"error", result.error},
                                              {"prefill_ms", result.prefill_ms}, {"decode_ms", result.decode_ms}}));
    co_await stream->drain();
}

// Answers one request; false when the connection must close afterwards.
asio::awaitable<bool> route(tcp::socket& socket, Service& service, const Request& r)
{
    ++service.requests;
    const std::string path = r.target.substr(0, r.target.find('?'));
    const bool keep = r.keep_alive();
    if (path == "/health" || path == "/metrics") {
        if (r.method != "GET")
            throw HttpError(405, path + " takes GET");
        const json body = path == "/health" ? json{{"status", "ok"}, {"model_loaded", service.model.valid()}}
                                            : metrics_json(service);
        co_await respond(socket, 200, body, keep);
        co_return keep;
    }
    if (path == "/generate") {
        if (r.method != "POST")
            throw HttpError(405, "/generate takes POST");
        co_await generate(socket, service, r);
        co_return false;
    }
    throw HttpError(404, "no such path: " + path);
}

} // namespace

asio::awaitable<void> probe_loop_lag(Service& service)
{
    constexpr std::size_t kSamples = 4096;
    asio::steady_timer timer(service.io);
    while (!service.stopping) {
        const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
        timer.expires_at(due);
        co_await timer.async_wait(as_tuple_awaitable);
        const double lag = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - due).count();
        if (service.loop_lag_ms.size() < kSamples)
            service.loop_lag_ms.push_back(lag);
        else
            service.loop_lag_ms[service.loop_lag_next++ % kSamples] = lag;
    }
}

asio::awaitable<void> serve_connection(tcp::socket socket, Service& service)
{
    service.connections.insert(&socket);
    std::string buffer;
    try {
        while (!service.stopping) {
            int status = 0;
            std::string message;
            try {
                auto request = co_await read_request(socket, buffer, service.limits);
                if (!request || !co_await route(socket, service, *request))
                    break;
                continue;
            } catch (const HttpError& e) {
                status = e.status();
                message = e.what();
            } catch (const edge_rt::BudgetError& e) { // no room for another session now
                status = 503;
                message = e.what();
            }
            const json error = error_body(message);
            co_await respond(socket, status, error, false);
            break;
        }
    } catch (const std::exception&) {
        // The peer went away mid-write: nothing to answer.
    }
    service.connections.erase(&socket);
    std::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

} // namespace edge_rt::service
