#include "run_metrics.hpp"

#include "edge_rt/error.hpp"
#include "runtime/metrics.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>

namespace edge_rt::cli {
namespace {

double per_second(std::size_t n, double ms) { return ms > 0.0 ? static_cast<double>(n) * 1000.0 / ms : 0.0; }

std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

} // namespace

const char* stop_name(runtime::StopReason r)
{
    switch (r) {
    case runtime::StopReason::MaxTokens: return "max_tokens";
    case runtime::StopReason::Eos: return "eos";
    case runtime::StopReason::ContextFull: return "context_full";
    case runtime::StopReason::Cancelled: return "interrupted";
    }
    return "unknown";
}

nlohmann::ordered_json metrics_json(const runtime::Engine& engine, const runtime::Session& session,
                                    const runtime::GenerateResult& r, const RunFacts& facts)
{
    const auto& p = engine.totals();
    const auto& s = r.stats;
    return {
        {"load_ms", engine.load_ms()},
        {"prefill_tokens", s.prefill_tokens},
        {"prefill_ms", s.prefill_ms},
        {"prefill_tokens_per_s", per_second(s.prefill_tokens, s.prefill_ms)},
        {"decode_tokens", s.decode_tokens},
        {"decode_ms", s.decode_ms},
        {"decode_tokens_per_s", per_second(s.decode_tokens, s.decode_ms)},
        {"bytes_read", p.bytes_read},
        {"read_gb_s", p.read_gb_s()},
        {"io_ms", p.io_ms},
        {"compute_ms", p.compute_ms},
        {"stall_ms", p.stall_ms},
        {"overlap", p.overlap()},
        {"peak_pool_bytes", engine.budget().peak()},
        {"peak_rss_bytes", runtime::peak_rss_bytes()},
        {"budget_bytes", engine.budget_bytes()},
        {"strategy", plan::to_string(engine.plan().strategy)},
        {"io_backend", engine.reader().backend_name()},
        {"direct_io", engine.reader().direct_io()},
        {"threads", engine.options().threads},
        {"threads_requested", facts.threads_requested},
        {"passes", p.passes},
        {"wall_ms", p.wall_ms},
        {"load_bytes_read", engine.load_bytes_read()},
        {"bytes_read_per_pass", p.passes ? p.bytes_read / p.passes : 0},
        {"fully_resident", engine.plan().fully_resident()},
        {"prefetch_slots", engine.plan().slots},
        {"generated_tokens", r.generated.size()},
        {"sample_ms", s.sample_ms},
        {"token_ms", s.token_ms},
        {"n_ctx", session.n_ctx()},
        {"seed", facts.seed},
        {"stop_reason", stop_name(r.stop)},
        {"kernels", engine.arch().kernels().name},
    };
}

void print_summary(const runtime::Engine& engine, const runtime::GenerateResult& r)
{
    const auto& s = r.stats;
    const auto& p = engine.totals();
    fmt::print(stderr, "\nload {:.1f} ms ({} weight bytes read; plan {}, {} backend{})\n", engine.load_ms(),
               engine.load_bytes_read(), plan::to_string(engine.plan().strategy), engine.reader().backend_name(),
               engine.reader().direct_io() ? ", O_DIRECT" : "");
    fmt::print(stderr, "prefill {} tokens in {:.2f} ms ({:.1f} tok/s)\n", s.prefill_tokens, s.prefill_ms,
               per_second(s.prefill_tokens, s.prefill_ms));
    fmt::print(stderr, "decode {} tokens in {:.2f} ms ({:.1f} tok/s)\n", s.decode_tokens, s.decode_ms,
               per_second(s.decode_tokens, s.decode_ms));
    fmt::print(stderr, "streamed {} bytes in {} passes ({:.3f} GB/s), compute {:.1f} ms, I/O {:.1f} ms, "
                       "stall {:.1f} ms, overlap {:.2f}\n",
               p.bytes_read, p.passes, p.read_gb_s(), p.compute_ms, p.io_ms, p.stall_ms, p.overlap());
    fmt::print(stderr, "peak memory: pool {} of a {} budget, RSS {}\n", mib(engine.budget().peak()),
               mib(engine.budget_bytes()), mib(runtime::peak_rss_bytes()));
}

} // namespace edge_rt::cli
