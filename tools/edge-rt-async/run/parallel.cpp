#include "run/parallel.hpp"

#include <algorithm>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <chrono>
#include <fmt/format.h>
#include <memory>

namespace edge_rt::cli {
namespace {

double per_second(double n, double ms) { return ms > 0.0 ? n * 1000.0 / ms : 0.0; }

struct Totals {
    std::size_t prefill_tokens = 0, decode_tokens = 0, generated = 0;
    double max_prefill_ms = 0;
};

Totals totals_of(const ParallelRun& run)
{
    Totals t;
    for (const auto& r : run.results) {
        t.prefill_tokens += r.prefill_tokens;
        t.decode_tokens += r.decode_tokens;
        t.generated += r.tokens.size();
        t.max_prefill_ms = std::max(t.max_prefill_ms, r.prefill_ms);
    }
    return t;
}

// The decode window: every session prefills in the first shared passes, then they decode
// together until the last one ends.
double decode_window_ms(const ParallelRun& run, const Totals& t) { return std::max(run.wall_ms - t.max_prefill_ms, 0.0); }

} // namespace

ParallelRun generate_parallel(Model& model, const GenerateRequest& request, std::size_t n, std::size_t ctx_size,
                              asio::io_context& io, asio::signal_set& interrupt)
{
    ParallelRun run;
    run.results.resize(n);
    run.errors.resize(n);
    std::vector<std::unique_ptr<Session>> sessions;
    for (std::size_t i = 0; i < n; ++i) // BudgetError here names what did not fit
        sessions.push_back(std::make_unique<Session>(model, SessionConfig{.ctx_size = ctx_size}));
    run.n_ctx = sessions.front()->n_ctx();
    std::vector<asio::cancellation_signal> each(n);
    interrupt.async_wait([&each](std::error_code ec, int) {
        if (!ec)
            for (auto& s : each)
                s.emit(asio::cancellation_type::terminal);
    });
    std::size_t remaining = n;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i)
        async_generate(*sessions[i], request, TokenHandler{},
                       asio::bind_cancellation_slot(each[i].slot(), [&run, &remaining, i](std::error_code e, GenerateResult r) {
                           run.errors[i] = e;
                           run.results[i] = std::move(r);
                           --remaining;
                       }));
    io.restart();
    while (remaining > 0 && io.run_one() > 0) {
    }
    run.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    interrupt.cancel();
    return run;
}

nlohmann::ordered_json parallel_metrics_json(const Model& model, const ParallelRun& run, const RunFacts& facts)
{
    const auto m = model.metrics();
    const Totals t = totals_of(run);
    const double window = decode_window_ms(run, t);
    nlohmann::ordered_json sessions = nlohmann::ordered_json::array();
    for (const auto& r : run.results)
        sessions.push_back({{"generated_ids", r.tokens},
                            {"text", model.info().has_tokenizer ? r.text : std::string()},
                            {"stop_reason", stop_name(r.stop)},
                            {"decode_tokens_per_s", per_second(double(r.decode_tokens), r.decode_ms)}});
    nlohmann::ordered_json out = {
        {"parallel", run.results.size()},
        {"load_ms", m.load_ms},
        {"prefill_tokens", t.prefill_tokens},
        {"prefill_ms", t.max_prefill_ms},
        {"prefill_tokens_per_s", per_second(double(t.prefill_tokens), t.max_prefill_ms)},
        {"decode_tokens", t.decode_tokens},
        {"decode_ms", window},
        {"decode_tokens_per_s", per_second(double(t.decode_tokens), window)},
        {"wall_ms_all", run.wall_ms},
    };
    add_model_metrics(out, model, facts);
    out.update({
        {"steps", m.steps},
        {"steps_per_pass", m.passes ? double(m.steps) / double(m.passes) : 0.0},
        {"generated_tokens", t.generated},
        {"token_ms", run.results.front().token_ms},
        {"n_ctx", run.n_ctx},
        {"seed", facts.seed},
        {"stop_reason", stop_name(run.results.front().stop)},
        {"kernels", model.info().kernels},
        {"sessions", sessions},
    });
    return out;
}

void print_parallel_summary(const Model& model, const ParallelRun& run)
{
    const auto m = model.metrics();
    const Totals t = totals_of(run);
    const double window = decode_window_ms(run, t);
    fmt::print(stderr, "\n{} sessions together: prefill {} tokens in {:.2f} ms, decode {} tokens in {:.2f} ms "
                       "({:.1f} tok/s together)\n",
               run.results.size(), t.prefill_tokens, t.max_prefill_ms, t.decode_tokens, window,
               per_second(double(t.decode_tokens), window));
    fmt::print(stderr, "streamed {} bytes in {} passes ({:.2f} session steps per pass, {:.3f} GB/s), overlap {:.2f}\n",
               m.bytes_read, m.passes, m.passes ? double(m.steps) / double(m.passes) : 0.0, m.read_gb_s, m.overlap);
    fmt::print(stderr, "peak memory: pool {:.1f} MiB of a {:.1f} MiB budget\n", double(m.budget_peak_bytes) / (1 << 20),
               double(m.budget_bytes) / (1 << 20));
}

} // namespace edge_rt::cli
