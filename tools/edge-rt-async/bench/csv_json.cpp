// The machine-readable renderings of a sweep. CSV column mapping of the benchmark-workflow seed
// (one row per configuration; medians over the repetitions):
//   step                   the configuration's index in the sweep (0-based)
//   enqueue_latency_ms     time to first token: model load + prefill + first sample
//   total_latency_ms       the child run's whole wall time (start to exit)
//   tokens_per_sec         decode tokens per second
//   memory_throughput_gb_s weight bytes read from storage per second of reader busy time (read_gb_s)
//   param_throughput_gb_s  weight bytes used per second of decoding: all weights × decode tok/s
//   generated_text         the first repetition's text
//   platform, release, device, username, hostname: this machine; size, quantize: the model's
//   parameter count and main weight type; seed: the sampler seed; uuid: one per bench invocation.
#include "bench/report.hpp"

#include <fmt/format.h>
#include <iterator>

namespace edge_rt::cli {
namespace {

using nlohmann::ordered_json;

const std::vector<std::string> kSeedColumns{
    "step", "enqueue_latency_ms", "total_latency_ms", "tokens_per_sec", "memory_throughput_gb_s",
    "param_throughput_gb_s", "generated_text", "platform", "release", "device", "username", "hostname",
    "size", "quantize", "seed", "uuid"};
const std::vector<std::string> kConfigColumns{
    "config", "model", "budget", "budget_bytes", "strategy", "threads", "io_backend", "direct_io",
    "prompt_tokens", "n_tokens", "reps", "status", "error", "io_backend_used", "direct_io_used", "speculation",
    "parallel"};
constexpr std::array kStatParts{"median", "stddev", "min", "max"};

std::string csv_field(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string q = "\"";
    for (const char ch : s)
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

std::string num(double v) { return fmt::format("{:.6g}", v); }

std::string joined(const std::vector<double>& values, const char* sep)
{
    std::string out;
    for (const double v : values)
        fmt::format_to(std::back_inserter(out), "{}{:.3f}", out.empty() ? "" : sep, v);
    return out;
}

std::vector<double> all_token_ms(const ConfigResult& r)
{
    std::vector<double> all;
    for (const auto& rep : r.reps)
        all.insert(all.end(), rep.token_ms.begin(), rep.token_ms.end());
    return all;
}

double param_throughput(const BenchReport& report, const ConfigResult& r)
{
    return static_cast<double>(report.model_facts.weight_bytes) * r.stat("decode_tok_s").median / 1e9;
}

std::vector<std::string> csv_row(const BenchReport& rep, std::size_t index)
{
    const auto& r = rep.results[index];
    const auto& c = r.config;
    const auto& m = rep.machine;
    const bool ok = r.ok();
    const auto stat = [&](const char* name) { return ok ? num(r.stat(name).median) : std::string(); };
    std::vector<std::string> row{
        std::to_string(index), stat("ttft_ms"), stat("total_ms"), stat("decode_tok_s"), stat("read_gb_s"),
        ok ? num(param_throughput(rep, r)) : "", ok ? r.reps.front().text : "", m.platform, m.release, m.device,
        m.username, m.hostname, rep.model_facts.size, rep.model_facts.quantize, std::to_string(rep.seed), m.uuid,
        std::to_string(index), rep.model, c.budget_label, std::to_string(c.budget), c.strategy,
        std::to_string(c.threads), c.io_backend, rep.direct_io ? "1" : "0", std::to_string(c.prompt_tokens),
        std::to_string(c.n_tokens), std::to_string(r.reps.size()), ok ? "ok" : "error", r.error,
        ok ? r.reps.front().io_backend : "", ok ? (r.reps.front().direct_io ? "1" : "0") : "", c.speculation,
        std::to_string(c.parallel)};
    for (std::size_t i = 0; i < kMetricCount; ++i) {
        const auto& s = r.stats[i];
        for (const double v : {s.median, s.stddev, s.min, s.max})
            row.push_back(ok ? num(v) : "");
    }
    const auto share = rep.read_share(r);
    row.push_back(r.raw_gb_s > 0 ? num(r.raw_gb_s) : "");
    row.push_back(share ? num(*share) : "");
    row.push_back(joined(all_token_ms(r), ";"));
    return row;
}

ordered_json row_json(const BenchReport& rep, std::size_t index)
{
    const auto& r = rep.results[index];
    const auto& c = r.config;
    ordered_json j = {
        {"config", index}, {"budget", c.budget_label}, {"budget_bytes", c.budget}, {"strategy", c.strategy},
        {"threads", c.threads}, {"io_backend", c.io_backend}, {"direct_io", rep.direct_io},
        {"prompt_tokens", c.prompt_tokens}, {"n_tokens", c.n_tokens}, {"reps", r.reps.size()},
        {"status", r.ok() ? "ok" : "error"}, {"error", r.error},
        {"io_backend_used", r.ok() ? r.reps.front().io_backend : ""},
        {"direct_io_used", r.ok() && r.reps.front().direct_io},
        {"speculation", c.speculation}, {"parallel", c.parallel},
    };
    ordered_json metrics = ordered_json::object();
    if (r.ok())
        for (std::size_t i = 0; i < kMetricCount; ++i) {
            const auto& s = r.stats[i];
            metrics[kBenchMetrics[i]] = {{"median", s.median}, {"stddev", s.stddev}, {"min", s.min}, {"max", s.max}};
        }
    j["metrics"] = std::move(metrics);
    const auto share = rep.read_share(r);
    j["raw_read_gb_s"] = r.raw_gb_s > 0 ? ordered_json(r.raw_gb_s) : ordered_json(nullptr);
    j["read_share_of_raw"] = share ? ordered_json(*share) : ordered_json(nullptr);
    j["param_throughput_gb_s"] = r.ok() ? ordered_json(param_throughput(rep, r)) : ordered_json(nullptr);
    j["token_ms"] = all_token_ms(r);
    j["generated_text"] = r.ok() ? r.reps.front().text : "";
    return j;
}

ordered_json machine_json(const BenchReport& r)
{
    const auto& m = r.machine;
    return {{"platform", m.platform}, {"release", m.release}, {"device", m.device},
            {"username", m.username}, {"hostname", m.hostname}};
}

ordered_json raw_json(const BenchReport& r)
{
    if (!r.raw_read)
        return nullptr;
    ordered_json probes = ordered_json::array();
    for (const auto& c : r.results)
        probes.push_back(c.raw_gb_s);
    // gb_s: the median probe; each result row has its own (raw_read_gb_s) and is compared with it.
    return {{"gb_s", r.raw_gb_s()}, {"probes_gb_s", std::move(probes)}, {"bytes_per_probe", r.raw_read->bytes},
            {"file", r.raw_read->file}, {"direct_io", r.raw_read->direct}, {"io_backend", r.raw_read->backend}};
}

ordered_json index_or_null(const std::optional<std::size_t>& i) { return i ? ordered_json(*i) : ordered_json(nullptr); }

} // namespace

std::vector<std::string> csv_columns()
{
    auto cols = kSeedColumns;
    cols.insert(cols.end(), kConfigColumns.begin(), kConfigColumns.end());
    for (const char* m : kBenchMetrics)
        for (const char* part : kStatParts)
            cols.push_back(fmt::format("{}_{}", m, part));
    cols.insert(cols.end(), {"raw_read_gb_s", "read_share_of_raw", "token_ms"});
    return cols;
}

std::string render_csv(const BenchReport& r)
{
    std::string out;
    const auto line = [&](const std::vector<std::string>& fields) {
        for (std::size_t i = 0; i < fields.size(); ++i)
            out.append(i ? "," : "").append(csv_field(fields[i]));
        out += "\n";
    };
    line(csv_columns());
    for (std::size_t i = 0; i < r.results.size(); ++i)
        line(csv_row(r, i));
    return out;
}

std::string render_json(const BenchReport& r)
{
    ordered_json results = ordered_json::array();
    for (std::size_t i = 0; i < r.results.size(); ++i)
        results.push_back(row_json(r, i));
    const ordered_json doc = {
        {"model", r.model},
        {"model_facts", {{"name", r.model_facts.name}, {"parameters", r.model_facts.parameters},
                         {"weight_bytes", r.model_facts.weight_bytes}, {"size", r.model_facts.size},
                         {"quantize", r.model_facts.quantize}}},
        {"machine", machine_json(r)},
        {"uuid", r.machine.uuid},
        {"repetitions", r.repetitions},
        {"seed", r.seed},
        {"raw_read", raw_json(r)},
        {"results", std::move(results)},
        {"summary", {{"fastest", index_or_null(r.summary.fastest)},
                     {"most_memory_efficient", index_or_null(r.summary.most_efficient)},
                     {"efficient_rule", fmt::format("lowest median peak RSS among configurations at >= {:.0f}% of "
                                                    "the fastest median decode tok/s", kEfficientShare * 100)}}},
    };
    return doc.dump(2) + "\n";
}

std::string render_jsonl(const BenchReport& r)
{
    std::string out;
    for (std::size_t i = 0; i < r.results.size(); ++i) {
        auto j = row_json(r, i);
        j["model"] = r.model;
        j["uuid"] = r.machine.uuid;
        j["hostname"] = r.machine.hostname;
        out += j.dump() + "\n";
    }
    return out;
}

} // namespace edge_rt::cli
