// The human-readable renderings of a sweep: aligned table, Markdown, and the summary lines.
#include "bench/report.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace edge_rt::cli {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

using Row = std::vector<std::string>;

const Row kHeader{"budget", "strategy", "thr", "io", "pp", "n", "spec", "par", "decode tok/s", "tok/pass", "prefill tok/s", "MiB/token",
                  "read GB/s", "of raw", "io ms/tok", "comp ms/tok", "stall ms/tok", "other ms/tok", "overlap", "pool MiB",
                  "RSS MiB", "note"};

std::string med_sd(const Stat& s, int digits)
{
    return fmt::format("{:.{}f} ± {:.{}f}", s.median, digits, s.stddev, digits);
}

std::string med(const Stat& s, int digits, double scale = 1.0) { return fmt::format("{:.{}f}", s.median / scale, digits); }

Row row_of(const BenchReport& report, const ConfigResult& r)
{
    const auto& c = r.config;
    // The backend the runs used (what "auto" became), "+buf" when O_DIRECT was not possible.
    const std::string io = r.ok() ? r.reps.front().io_backend + (r.reps.front().direct_io ? "" : "+buf") : c.io_backend;
    Row row{c.budget_label, c.strategy, std::to_string(c.threads), io, std::to_string(c.prompt_tokens),
            std::to_string(c.n_tokens), c.speculation, std::to_string(c.parallel)};
    if (!r.ok()) {
        row.resize(kHeader.size() - 1, "-");
        row.push_back(r.error);
        return row;
    }
    const auto share = report.read_share(r);
    row.insert(row.end(), {
        med_sd(r.stat("decode_tok_s"), 2), med(r.stat("tokens_per_pass"), 2), med_sd(r.stat("prefill_tok_s"), 2), med(r.stat("bytes_per_token"), 1, kMiB),
        med(r.stat("read_gb_s"), 3), share ? fmt::format("{:.0f}%", *share * 100) : "-",
        med(r.stat("io_ms_per_token"), 1), med(r.stat("compute_ms_per_token"), 1), med(r.stat("stall_ms_per_token"), 1),
        med(r.stat("other_ms_per_token"), 1), med(r.stat("overlap"), 2), med(r.stat("peak_pool_bytes"), 1, kMiB), med(r.stat("peak_rss_bytes"), 1, kMiB), "",
    });
    return row;
}

// Display width: "±" is one column but two bytes.
std::size_t width(const std::string& s)
{
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t w, bool right)
{
    const std::string fill(w > width(s) ? w - width(s) : 0, ' ');
    return right ? fill + s : s + fill;
}

std::string join_row(const Row& row, const std::vector<std::size_t>& widths, bool markdown)
{
    std::string line = markdown ? "| " : "";
    for (std::size_t i = 0; i < row.size(); ++i) {
        const bool numeric = i >= 2 && i + 1 < row.size();
        line += pad(row[i], widths[i], numeric);
        if (i + 1 < row.size())
            line += markdown ? " | " : "  ";
    }
    if (markdown)
        line += " |";
    while (!markdown && !line.empty() && line.back() == ' ')
        line.pop_back();
    return line + "\n";
}

} // namespace

std::vector<double> BenchReport::raw_probes() const
{
    std::vector<double> probes;
    for (const auto& r : results)
        if (r.raw_gb_s > 0)
            probes.push_back(r.raw_gb_s);
    return probes;
}

double BenchReport::raw_gb_s() const { return summarize(raw_probes()).median; }

std::optional<double> BenchReport::read_share(const ConfigResult& r) const
{
    if (!raw_read || r.raw_gb_s <= 0 || !r.ok())
        return std::nullopt;
    return r.stat("read_gb_s").median / r.raw_gb_s;
}

std::string config_label(const BenchConfig& c)
{
    std::string label = fmt::format("{} {} t{} {} p{} n{}", c.budget_label, c.strategy, c.threads, c.io_backend,
                                    c.prompt_tokens, c.n_tokens);
    if (c.speculation != "none")
        label += " " + c.speculation;
    if (c.parallel > 1)
        label += fmt::format(" x{}", c.parallel);
    return label;
}

std::string render_table(const BenchReport& report, bool markdown)
{
    std::vector<Row> rows{kHeader};
    for (const auto& r : report.results)
        rows.push_back(row_of(report, r));
    std::vector<std::size_t> widths(kHeader.size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], width(row[i]));
    std::string out = join_row(rows[0], widths, markdown);
    if (markdown) {
        out += "|";
        for (std::size_t i = 0; i < widths.size(); ++i)
            out += (i >= 2 && i + 1 < widths.size()) ? std::string(widths[i] + 1, '-') + ":|"
                                                     : std::string(widths[i] + 2, '-') + "|";
        out += "\n";
    }
    for (std::size_t i = 1; i < rows.size(); ++i)
        out += join_row(rows[i], widths, markdown);
    return out;
}

std::string render_summary(const BenchReport& r)
{
    std::string out = fmt::format("model {} ({} parameters, {}, {:.1f} MiB of weights); {} repetitions each, "
                                  "medians ± stddev; reads {}\n",
                                  r.model, r.model_facts.size, r.model_facts.quantize,
                                  static_cast<double>(r.model_facts.weight_bytes) / kMiB, r.repetitions,
                                  r.direct_io ? "O_DIRECT where allowed" : "buffered (--no-direct-io)");
    if (r.raw_read) {
        const auto probes = r.raw_probes();
        const Stat p = summarize(probes);
        out += fmt::format("raw read bandwidth: {:.3f} GB/s, the median of {} probe(s) taken before each "
                           "configuration (min {:.3f}, max {:.3f}; {:.0f} MiB of {} read with the {} reader{}); "
                           "\"of raw\" compares each row with its own probe\n",
                           p.median, probes.size(), p.min, p.max, static_cast<double>(r.raw_read->bytes) / kMiB,
                           r.raw_read->file, r.raw_read->backend, r.raw_read->direct ? ", O_DIRECT" : ", buffered");
    }
    if (!r.summary.fastest) {
        out += "no configuration ran successfully\n";
        return out;
    }
    const auto& fast = r.results[*r.summary.fastest];
    out += fmt::format("fastest: {} ({:.2f} decode tok/s, peak RSS {:.1f} MiB)\n", config_label(fast.config),
                       fast.stat("decode_tok_s").median, fast.stat("peak_rss_bytes").median / kMiB);
    const auto& eff = r.results[*r.summary.most_efficient];
    out += fmt::format("most memory-efficient (lowest peak RSS at >= {:.0f}% of the fastest's tok/s): {} "
                       "({:.2f} decode tok/s, peak RSS {:.1f} MiB)\n",
                       kEfficientShare * 100, config_label(eff.config), eff.stat("decode_tok_s").median,
                       eff.stat("peak_rss_bytes").median / kMiB);
    return out;
}

} // namespace edge_rt::cli
