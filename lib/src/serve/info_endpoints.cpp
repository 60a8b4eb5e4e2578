#include "serve/info_endpoints.hpp"

#include "serve/completion_response.hpp"
#include "serve/prometheus.hpp"

namespace edge_rt::serve {

Response health_response(const Server::State& s)
{
    Response r;
    r.body = std::string(R"({"status":"ok","active_sessions":)") + std::to_string(s.active_sessions) + "}";
    return r;
}

Response models_response(const Server::State& s)
{
    Response r;
    r.body = models_body(s.model_id, s.created);
    return r;
}

Response metrics_response(const Server::State& s)
{
    const auto m = s.model.metrics();
    const auto& c = s.counters;
    PrometheusText p;
    p.counter("edge_rt_http_requests_total", "HTTP requests answered", double(c.requests));
    p.counter("edge_rt_http_errors_total", "Requests answered with an error status", double(c.errors));
    p.counter("edge_rt_completions_total", "Completion requests that generated", double(c.completions));
    p.counter("edge_rt_prompt_tokens_total", "Prompt tokens of completion requests", double(c.prompt_tokens));
    p.counter("edge_rt_completion_tokens_total", "Tokens generated for completion requests",
              double(c.completion_tokens));
    p.counter("edge_rt_cancelled_total", "Generations cancelled because the client went away", double(c.cancelled));
    p.counter("edge_rt_rejected_total", "Requests refused over a limit", double(c.rejected_busy),
              {{"reason", "max_sessions"}});
    p.counter("edge_rt_rejected_total", "Requests refused over a limit", double(c.rejected_conns),
              {{"reason", "max_connections"}});
    p.counter("edge_rt_passes_total", "Forward passes run", double(m.passes));
    p.counter("edge_rt_pass_steps_total", "Sessions' steps run by those passes (per pass: the batch)",
              double(m.steps));
    p.counter("edge_rt_pass_tokens_total", "Tokens run by forward passes, prompts included", double(m.tokens));
    p.counter("edge_rt_weight_bytes_read_total", "Weight bytes read by forward passes", double(m.bytes_read));
    p.counter("edge_rt_pass_wall_seconds_total", "Wall time of forward passes", m.wall_ms / 1e3);
    p.counter("edge_rt_pass_stall_seconds_total", "Time compute waited for weight reads", m.stall_ms / 1e3);
    p.gauge("edge_rt_read_gigabytes_per_second", "Weight read speed over all passes", m.read_gb_s);
    p.gauge("edge_rt_overlap_ratio", "Share of the smaller of I/O and compute hidden behind the other", m.overlap);
    p.gauge("edge_rt_active_sessions", "Completion requests holding a session now", double(s.active_sessions));
    // Sessions share passes: a step submitted while a pass runs waits for the next one.
    p.gauge("edge_rt_queue_length", "Session steps waiting for the next forward pass", double(m.queued_steps));
    p.gauge("edge_rt_batch_size", "Session steps in the forward pass running now", double(m.running_steps));
    p.gauge("edge_rt_budget_bytes", "The memory budget", double(m.budget_bytes));
    p.gauge("edge_rt_budget_used_bytes", "Bytes charged to the budget now", double(m.budget_used_bytes));
    p.gauge("edge_rt_budget_peak_bytes", "The most ever charged to the budget", double(m.budget_peak_bytes));
    p.gauge("edge_rt_open_connections", "Open client connections", double(s.connections.size()));
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = p.text();
    return r;
}

} // namespace edge_rt::serve
