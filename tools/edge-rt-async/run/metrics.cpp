#include "run/metrics.hpp"

#include <cstdio>
#include <fmt/format.h>

namespace edge_rt::cli {
namespace {

double per_second(std::size_t n, double ms) { return ms > 0.0 ? static_cast<double>(n) * 1000.0 / ms : 0.0; }

std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

nlohmann::ordered_json speculation_json(const SpeculationMetrics& s, std::uint64_t draft_budget_bytes)
{
    return {
        {"draft", s.draft.empty() ? "none" : s.draft},
        {"max_draft", s.max_draft},
        {"passes", s.passes},
        {"draft_tokens", s.draft_tokens},
        {"accepted_tokens", s.accepted_tokens},
        {"tokens_per_pass", s.tokens_per_pass()},
        {"acceptance_rate", s.acceptance_rate()},
        {"draft_budget_bytes", draft_budget_bytes},
    };
}

} // namespace

const char* stop_name(StopReason r)
{
    switch (r) {
    case StopReason::MaxTokens: return "max_tokens";
    case StopReason::Eos: return "eos";
    case StopReason::ContextFull: return "context_full";
    case StopReason::Cancelled: return "interrupted";
    case StopReason::Error: return "error";
    }
    return "unknown";
}

void add_model_metrics(nlohmann::ordered_json& out, const Model& model, const RunFacts& facts)
{
    const auto m = model.metrics();
    const auto& info = model.info();
    const auto& plan = model.plan();
    out.update({
        {"bytes_read", m.bytes_read},
        {"read_gb_s", m.read_gb_s},
        {"io_ms", m.io_ms},
        {"compute_ms", m.compute_ms},
        {"stall_ms", m.stall_ms},
        {"overlap", m.overlap},
        {"peak_pool_bytes", m.budget_peak_bytes},
        {"peak_rss_bytes", m.peak_rss_bytes},
        {"budget_bytes", m.budget_bytes},
        {"strategy", to_string(plan.strategy)},
        {"io_backend", info.io_backend},
        {"direct_io", info.direct_io},
        {"threads", info.threads},
        {"threads_requested", facts.threads_requested},
        {"passes", m.passes},
        {"wall_ms", m.wall_ms},
        {"load_bytes_read", m.load_bytes_read},
        {"bytes_read_per_pass", m.passes ? m.bytes_read / m.passes : 0},
        {"fully_resident", plan.fully_resident},
        {"prefetch_slots", plan.slots},
    });
}

nlohmann::ordered_json metrics_json(const Model& model, const Session& session, const GenerateResult& r,
                                    const RunFacts& facts)
{
    const auto m = model.metrics();
    nlohmann::ordered_json out = {
        {"load_ms", m.load_ms},
        {"prefill_tokens", r.prefill_tokens},
        {"prefill_ms", r.prefill_ms},
        {"prefill_tokens_per_s", per_second(r.prefill_tokens, r.prefill_ms)},
        {"decode_tokens", r.decode_tokens},
        {"decode_ms", r.decode_ms},
        {"decode_tokens_per_s", per_second(r.decode_tokens, r.decode_ms)},
    };
    add_model_metrics(out, model, facts);
    out.update({
        {"generated_tokens", r.tokens.size()},
        {"sample_ms", r.sample_ms},
        {"token_ms", r.token_ms},
        {"n_ctx", session.n_ctx()},
        {"seed", facts.seed},
        {"stop_reason", stop_name(r.stop)},
        {"kernels", model.info().kernels},
        {"speculation", speculation_json(r.speculation, m.draft_budget_bytes)},
    });
    return out;
}

void print_summary(const Model& model, const GenerateResult& r)
{
    const auto m = model.metrics();
    const auto& info = model.info();
    fmt::print(stderr, "\nload {:.1f} ms ({} weight bytes read; plan {}, {} backend{})\n", m.load_ms, m.load_bytes_read,
               to_string(model.plan().strategy), info.io_backend, info.direct_io ? ", O_DIRECT" : "");
    fmt::print(stderr, "prefill {} tokens in {:.2f} ms ({:.1f} tok/s)\n", r.prefill_tokens, r.prefill_ms,
               per_second(r.prefill_tokens, r.prefill_ms));
    fmt::print(stderr, "decode {} tokens in {:.2f} ms ({:.1f} tok/s)\n", r.decode_tokens, r.decode_ms,
               per_second(r.decode_tokens, r.decode_ms));
    fmt::print(stderr, "streamed {} bytes in {} passes ({:.3f} GB/s), compute {:.1f} ms, I/O {:.1f} ms, "
                       "stall {:.1f} ms, overlap {:.2f}\n",
               m.bytes_read, m.passes, m.read_gb_s, m.compute_ms, m.io_ms, m.stall_ms, m.overlap);
    fmt::print(stderr, "peak memory: pool {} of a {} budget, RSS {}\n", mib(m.budget_peak_bytes), mib(m.budget_bytes),
               mib(m.peak_rss_bytes));
    const auto& s = r.speculation;
    if (!s.draft.empty())
        fmt::print(stderr, "speculation ({}, k up to {}{}): {} draft tokens, {} accepted ({:.0f}%), {:.2f} tokens per pass in {} passes\n",
                   s.draft, s.max_draft, m.draft_budget_bytes ? fmt::format(", draft model {} of the budget", mib(m.draft_budget_bytes)) : "",
                   s.draft_tokens, s.accepted_tokens, 100.0 * s.acceptance_rate(), s.tokens_per_pass(), s.passes);
}

} // namespace edge_rt::cli
