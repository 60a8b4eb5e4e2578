// The C ABI over the public C++ API. Each call runs the runtime's own io_context on the calling
// thread until its operation is done; every exception becomes a status and a thread-local message.
#include "edge_rt/edge_rt.h"

#include "edge_rt/runtime.hpp"

#include "api/config_convert.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <cstring>
#include <string>

struct edge_rt_runtime {
    asio::io_context io{1};
    edge_rt::RuntimeConfig config;
};

struct edge_rt_model {
    edge_rt_runtime* runtime = nullptr;
    edge_rt::Model model;
    // The running generation's signal (io thread only) and its number, so that a cancel posted
    // from another thread never stops a later generation.
    asio::cancellation_signal* signal = nullptr;
    std::atomic<std::uint64_t> generation{0};
};

namespace {

thread_local std::string last_error;

edge_rt_status fail(edge_rt_status status, const std::string& message)
{
    last_error = message;
    return status;
}

// Maps the exception in flight to a status; call only inside a catch block.
edge_rt_status from_exception()
{
    try {
        throw;
    } catch (const edge_rt::FormatError& e) {
        return fail(EDGE_RT_ERR_FORMAT, e.what());
    } catch (const edge_rt::IoError& e) {
        return fail(EDGE_RT_ERR_IO, e.what());
    } catch (const edge_rt::BudgetError& e) {
        return fail(EDGE_RT_ERR_BUDGET, e.what());
    } catch (const edge_rt::ConfigError& e) {
        return fail(EDGE_RT_ERR_CONFIG, e.what());
    } catch (const std::exception& e) {
        return fail(EDGE_RT_ERR_INTERNAL, e.what());
    } catch (...) {
        return fail(EDGE_RT_ERR_INTERNAL, "unknown error");
    }
}

edge_rt::GenerateRequest to_request(const edge_rt_generate_params& p)
{
    edge_rt::GenerateRequest r;
    r.prompt = p.prompt ? p.prompt : "";
    r.max_tokens = p.max_tokens;
    r.sampling = {p.temperature, p.top_k, p.top_p, p.repeat_penalty, p.repeat_last_n, p.seed};
    return r;
}

// Runs `io` until `done`, then leaves it ready for the next call.
void run_until(asio::io_context& io, const bool& done)
{
    io.restart();
    while (!done && io.run_one() > 0) {
    }
}

edge_rt_status generate(edge_rt_model& m, const edge_rt_generate_params& params, edge_rt_token_fn on_token,
                        void* user, size_t* n_generated)
{
    auto& io = m.runtime->io;
    edge_rt::Session session(m.model);
    asio::cancellation_signal signal;
    bool done = false;
    std::error_code ec;
    edge_rt::GenerateResult result;
    auto handler = [&](const edge_rt::TokenEvent& t) {
        if (on_token && on_token(user, t.id, t.text.data(), t.text.size(), t.metrics.ms) != 0)
            signal.emit(asio::cancellation_type::terminal);
    };
    m.signal = &signal;
    m.generation.fetch_add(1);
    edge_rt::async_generate(session, to_request(params), handler,
                            asio::bind_cancellation_slot(signal.slot(), [&](std::error_code e, edge_rt::GenerateResult r) {
                                ec = e;
                                result = std::move(r);
                                done = true;
                            }));
    run_until(io, done);
    m.signal = nullptr;
    if (n_generated)
        *n_generated = result.tokens.size();
    if (!done)
        return fail(EDGE_RT_ERR_INTERNAL, "the io_context stopped before the generation completed");
    if (ec == asio::error::operation_aborted)
        return fail(EDGE_RT_ERR_CANCELLED, "generation cancelled");
    if (ec == edge_rt::GenerateErrc::BadRequest)
        return fail(EDGE_RT_ERR_CONFIG, result.error);
    if (ec)
        return fail(EDGE_RT_ERR_INTERNAL, result.error.empty() ? ec.message() : result.error);
    return EDGE_RT_OK;
}

} // namespace

extern "C" {

const char* edge_rt_version(void) { return edge_rt::version().data(); }

const char* edge_rt_last_error(void) { return last_error.c_str(); }

void edge_rt_runtime_config_init(edge_rt_runtime_config* config)
{
    if (config)
        *config = {0, 2, 2, 0, 0, 1, 0};
}

void edge_rt_generate_params_init(edge_rt_generate_params* params)
{
    if (params)
        *params = {nullptr, 128, 0.8f, 40, 0.95f, 1.0f, 64, 0};
}

edge_rt_status edge_rt_runtime_create(const edge_rt_runtime_config* config, edge_rt_runtime** out)
{
    if (!out)
        return fail(EDGE_RT_ERR_INVALID_ARGUMENT, "edge_rt_runtime_create: out is NULL");
    try {
        edge_rt_runtime_config c;
        edge_rt_runtime_config_init(&c);
        auto rt = std::make_unique<edge_rt_runtime>();
        rt->config = edge_rt::api::from_c(config ? *config : c);
        *out = rt.release();
        return EDGE_RT_OK;
    } catch (...) {
        return from_exception();
    }
}

void edge_rt_runtime_destroy(edge_rt_runtime* runtime) { delete runtime; }

edge_rt_status edge_rt_model_load(edge_rt_runtime* runtime, const char* path, edge_rt_model** out)
{
    if (!runtime || !path || !out)
        return fail(EDGE_RT_ERR_INVALID_ARGUMENT, "edge_rt_model_load: runtime, path and out must not be NULL");
    try {
        bool done = false;
        std::exception_ptr error;
        edge_rt::Model model;
        edge_rt::async_load(runtime->io, path, runtime->config, [&](std::exception_ptr e, edge_rt::Model m) {
            error = e;
            model = std::move(m);
            done = true;
        });
        run_until(runtime->io, done);
        if (error)
            std::rethrow_exception(error);
        auto m = std::make_unique<edge_rt_model>();
        m->runtime = runtime;
        m->model = std::move(model);
        *out = m.release();
        return EDGE_RT_OK;
    } catch (...) {
        return from_exception();
    }
}

void edge_rt_model_destroy(edge_rt_model* model)
{
    if (!model)
        return;
    auto& io = model->runtime->io;
    model->model = {}; // the engine shuts down on the io_context: run it until nothing is left
    io.restart();
    io.run();
    delete model;
}

edge_rt_status edge_rt_generate(edge_rt_model* model, const edge_rt_generate_params* params,
                                edge_rt_token_fn on_token, void* user, size_t* n_generated)
{
    if (n_generated)
        *n_generated = 0;
    if (!model || !params)
        return fail(EDGE_RT_ERR_INVALID_ARGUMENT, "edge_rt_generate: model and params must not be NULL");
    try {
        return generate(*model, *params, on_token, user, n_generated);
    } catch (...) {
        return from_exception();
    }
}

void edge_rt_cancel(edge_rt_model* model)
{
    if (!model)
        return;
    const std::uint64_t generation = model->generation.load();
    asio::post(model->runtime->io, [model, generation] {
        if (model->signal && model->generation.load() == generation)
            model->signal->emit(asio::cancellation_type::terminal);
    });
}

edge_rt_status edge_rt_model_metrics(const edge_rt_model* model, edge_rt_metrics* out)
{
    if (!model || !out)
        return fail(EDGE_RT_ERR_INVALID_ARGUMENT, "edge_rt_model_metrics: model and out must not be NULL");
    try {
        const auto m = model->model.metrics();
        *out = {m.load_ms, m.budget_bytes, m.budget_used_bytes, m.budget_peak_bytes, m.passes,
                m.wall_ms,  m.compute_ms,  m.io_ms,             m.stall_ms,          m.bytes_read};
        return EDGE_RT_OK;
    } catch (...) {
        return from_exception();
    }
}

} // extern "C"
