#include "api/config_convert.hpp"

#include "edge_rt/error.hpp"

#include <chrono>
#include <fmt/format.h>

namespace edge_rt::api {

plan::Strategy to_internal(Strategy s)
{
    switch (s) {
    case Strategy::Sequential: return plan::Strategy::Sequential;
    case Strategy::GreedyGrouping: return plan::Strategy::GreedyGrouping;
    case Strategy::SpeculativePrefetch: return plan::Strategy::SpeculativePrefetch;
    case Strategy::Auto: return plan::Strategy::Auto;
    }
    throw ConfigError(fmt::format("RuntimeConfig: strategy {} is not one of the four strategies", static_cast<int>(s)));
}

io::IoBackend to_internal(IoBackend b)
{
    switch (b) {
    case IoBackend::Auto: return io::IoBackend::Auto;
    case IoBackend::Uring: return io::IoBackend::Uring;
    case IoBackend::Pread: return io::IoBackend::Pread;
    }
    throw ConfigError(fmt::format("RuntimeConfig: io_backend {} is not auto, uring or pread", static_cast<int>(b)));
}

void validate(const RuntimeConfig& c)
{
    if (c.prefetch_depth == 0)
        throw ConfigError("RuntimeConfig: prefetch_depth must be at least 1");
    if (c.max_batch == 0)
        throw ConfigError("RuntimeConfig: max_batch must be at least 1");
    if (c.sessions > 1024) // each one's KV cache is planned: beyond this the sum only overflows
        throw ConfigError(fmt::format("RuntimeConfig: sessions is {}; at most 1024 are planned for", c.sessions));
    if (c.queue_depth == 0)
        throw ConfigError("RuntimeConfig: queue_depth must be at least 1");
    if (c.monitor.enabled && c.monitor.interval_ms == 0)
        throw ConfigError("RuntimeConfig: monitor.interval_ms must be at least 1");
    to_internal(c.strategy);
    to_internal(c.io_backend);
}

std::size_t draft_max(const RuntimeConfig& c) { return c.draft_max ? c.draft_max : 8; }

runtime::EngineOptions engine_options(const RuntimeConfig& c, asio::io_context& io)
{
    validate(c);
    runtime::EngineOptions e;
    e.budget = c.budget_bytes;
    e.strategy = to_internal(c.strategy);
    e.prefetch_depth = c.prefetch_depth;
    e.threads = c.threads > 0 ? c.threads : default_threads();
    e.reader.backend = to_internal(c.io_backend);
    e.reader.direct_io = c.direct_io;
    e.reader.queue_depth = c.queue_depth;
    e.reader.read_timeout = std::chrono::milliseconds(c.read_timeout_ms);
    e.n_ctx = c.ctx_size;
    e.max_batch = c.max_batch;
    e.sessions = std::max<std::size_t>(c.sessions, 1);
    e.io = &io;
    if (!c.draft_model_path.empty()) // the verify pass's logits, planned with the rest
        e.logit_rows = draft_max(c) + 1;
    return e;
}

monitor::PolicyConfig policy_config(const MonitorConfig& m)
{
    monitor::PolicyConfig p;
    p.psi_high = m.psi_high;
    p.psi_low = m.psi_low;
    p.available_low = m.available_low;
    p.available_ok = m.available_ok;
    p.celsius_high = m.celsius_high;
    p.celsius_ok = m.celsius_ok;
    p.calm_readings = m.calm_readings;
    return p;
}

runtime::SamplerConfig sampler_config(const SamplingConfig& s)
{
    return {s.temperature, s.top_k, s.top_p, s.repeat_penalty, s.repeat_last_n, s.seed};
}

} // namespace edge_rt::api

namespace edge_rt {

// Names are the internal enums' (plan::to_string, io::to_string): one spelling everywhere.
std::string_view to_string(Strategy s) noexcept
{
    switch (s) {
    case Strategy::Sequential: return plan::to_string(plan::Strategy::Sequential);
    case Strategy::GreedyGrouping: return plan::to_string(plan::Strategy::GreedyGrouping);
    case Strategy::SpeculativePrefetch: return plan::to_string(plan::Strategy::SpeculativePrefetch);
    case Strategy::Auto: return plan::to_string(plan::Strategy::Auto);
    }
    return "unknown";
}

Strategy parse_strategy(std::string_view name)
{
    switch (plan::parse_strategy(name)) {
    case plan::Strategy::Sequential: return Strategy::Sequential;
    case plan::Strategy::GreedyGrouping: return Strategy::GreedyGrouping;
    case plan::Strategy::SpeculativePrefetch: return Strategy::SpeculativePrefetch;
    case plan::Strategy::Auto: return Strategy::Auto;
    }
    throw ConfigError(fmt::format("unknown strategy '{}'", name));
}

std::string_view to_string(IoBackend b) noexcept
{
    switch (b) {
    case IoBackend::Auto: return io::to_string(io::IoBackend::Auto);
    case IoBackend::Uring: return io::to_string(io::IoBackend::Uring);
    case IoBackend::Pread: return io::to_string(io::IoBackend::Pread);
    }
    return "unknown";
}

IoBackend parse_io_backend(std::string_view name)
{
    switch (io::parse_io_backend(name)) {
    case io::IoBackend::Auto: return IoBackend::Auto;
    case io::IoBackend::Uring: return IoBackend::Uring;
    case io::IoBackend::Pread: return IoBackend::Pread;
    }
    throw ConfigError(fmt::format("unknown I/O backend '{}'", name));
}

} // namespace edge_rt

namespace edge_rt::api {

RuntimeConfig from_c(const edge_rt_runtime_config& c)
{
    RuntimeConfig r;
    switch (c.strategy) {
    case 0: r.strategy = Strategy::Sequential; break;
    case 1: r.strategy = Strategy::GreedyGrouping; break;
    case 2: r.strategy = Strategy::SpeculativePrefetch; break;
    case 3: r.strategy = Strategy::Auto; break;
    default: throw ConfigError("edge_rt_runtime_config: strategy must be 0-3 and io_backend 0-2");
    }
    switch (c.io_backend) {
    case 0: r.io_backend = IoBackend::Auto; break;
    case 1: r.io_backend = IoBackend::Uring; break;
    case 2: r.io_backend = IoBackend::Pread; break;
    default: throw ConfigError("edge_rt_runtime_config: strategy must be 0-3 and io_backend 0-2");
    }
    r.budget_bytes = c.budget_bytes;
    r.prefetch_depth = c.prefetch_depth;
    r.threads = c.threads;
    r.direct_io = c.direct_io != 0;
    r.ctx_size = c.ctx_size;
    return r; // validated where every RuntimeConfig is: when a model is loaded or planned

}

} // namespace edge_rt::api
