#include "bench/plot.hpp"

#include "bench/child.hpp"

#include "edge_rt/error.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <utility>

namespace fs = std::filesystem;

namespace edge_rt::cli {
namespace {

/// The CSV's rows as name → field maps, successful configurations only.
using Record = std::map<std::string, std::string>;

std::vector<Record> ok_records(const std::string& csv_text)
{
    const auto rows = parse_csv(csv_text);
    if (rows.empty())
        throw FormatError("bench --plot: the results have no header row");
    const auto& header = rows.front();
    for (const char* need : {"budget", "strategy", "threads", "io_backend", "prompt_tokens", "n_tokens", "status",
                             "decode_tok_s_median", "compute_ms_per_token_median", "stall_ms_per_token_median",
                             "other_ms_per_token_median", "io_ms_per_token_median", "token_ms"})
        if (std::find(header.begin(), header.end(), need) == header.end())
            throw FormatError(fmt::format("bench --plot: the results have no '{}' column (not a bench CSV?)", need));
    std::vector<Record> records;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        Record r;
        for (std::size_t c = 0; c < header.size() && c < rows[i].size(); ++c)
            r[header[c]] = rows[i][c];
        if (r["status"] == "ok")
            records.push_back(std::move(r));
    }
    if (records.empty())
        throw FormatError("bench --plot: the results have no successful configuration to plot");
    return records;
}

// The parts of a configuration other than its budget that vary across the results: a series name.
std::string series_of(const Record& r, const std::vector<Record>& all)
{
    std::string name = r.at("strategy");
    for (const auto& field : {std::pair{"threads", " t"}, {"io_backend", " "}, {"prompt_tokens", " p"},
                              {"n_tokens", " n"}}) {
        // Named copies, not a structured binding: clang before 16 cannot capture one in a lambda.
        const char* key = field.first;
        const char* prefix = field.second;
        if (std::any_of(all.begin(), all.end(), [&](const Record& o) { return o.at(key) != r.at(key); }))
            name.append(prefix).append(r.at(key));
    }
    return name;
}

std::string label_of(const Record& r, const std::vector<Record>& all)
{
    return fmt::format("{} {}", r.at("budget"), series_of(r, all));
}

std::string quoted(const std::string& s)
{
    std::string q = s;
    std::replace(q.begin(), q.end(), '"', '\'');
    return "\"" + q + "\"";
}

template <typename T>
void push_unique(std::vector<T>& v, const T& x)
{
    if (std::find(v.begin(), v.end(), x) == v.end())
        v.push_back(x);
}

void write_file(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
        throw IoError(fmt::format("{}: cannot write plot data", path.string()));
}

// Rows: budgets; columns: series; "?" where a combination has no successful result.
std::string speed_table(const std::vector<Record>& recs)
{
    std::vector<std::string> budgets, series;
    for (const auto& r : recs) {
        push_unique(budgets, r.at("budget"));
        push_unique(series, series_of(r, recs));
    }
    std::string out = "budget";
    for (const auto& s : series)
        out.append(" ").append(quoted(s));
    out += "\n";
    for (const auto& b : budgets) {
        out += quoted(b);
        for (const auto& s : series) {
            const auto it = std::find_if(recs.begin(), recs.end(),
                                         [&](const Record& r) { return r.at("budget") == b && series_of(r, recs) == s; });
            out.append(" ").append(it == recs.end() ? std::string("?") : it->at("decode_tok_s_median"));
        }
        out += "\n";
    }
    return out;
}

std::string split_table(const std::vector<Record>& recs)
{
    std::string out = "# config compute_ms stall_ms other_ms io_ms (per token)\n";
    for (const auto& r : recs)
        out += fmt::format("{} {} {} {} {}\n", quoted(label_of(r, recs)), r.at("compute_ms_per_token_median"),
                           r.at("stall_ms_per_token_median"), r.at("other_ms_per_token_median"),
                           r.at("io_ms_per_token_median"));
    return out;
}

// One data block per configuration (blocks separated by two blank lines: gnuplot's `index`).
std::string latency_blocks(const std::vector<Record>& recs)
{
    std::string out;
    for (const auto& r : recs) {
        std::string values = r.at("token_ms");
        std::replace(values.begin(), values.end(), ';', '\n');
        out.append(values.empty() ? std::string("?") : values).append("\n\n\n");
    }
    return out;
}

std::string script(const fs::path& dir, const std::vector<Record>& recs, std::size_t n_series)
{
    const auto at = [&](const char* f) { return quoted((dir / f).string()); };
    std::string xtics;
    for (std::size_t i = 0; i < recs.size(); ++i)
        xtics += fmt::format("{}{} {}", i ? ", " : "", quoted(label_of(recs[i], recs)), i + 1);
    return fmt::format(
        "set terminal pngcairo size 1000,560 noenhanced font ',10'\n"
        "set datafile missing '?'\nset grid ytics\nset key outside right top\n"
        "set output {speed_png}\nset title 'Decode tokens/s by memory budget and strategy (median)'\n"
        "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
        "set xlabel 'memory budget'\nset ylabel 'tokens/s'\nset yrange [0:*]\n"
        "plot for [i=2:{last}] {speed_dat} using i:xtic(1) title columnheader(i)\n"
        "set output {split_png}\nset title 'Time per token: compute + stall + other = wall (bars), I/O busy (points)'\n"
        "set style histogram rowstacked\nset boxwidth 0.6\nset xtics rotate by -30\nset xlabel ''\n"
        "set ylabel 'ms per token'\n"
        "plot {split_dat} using 2:xtic(1) title 'compute', '' using 3 title 'stall (waiting for reads)', '' using 4 title 'other (hand-offs)', "
        "'' using 0:5 with points pt 7 ps 1.5 lc rgb 'black' title 'I/O busy'\n"
        "set output {lat_png}\nset title 'Per-token latency distribution (all repetitions)'\n"
        "set style boxplot outliers pointtype 7\nset boxwidth 0.5\nset xrange [0.5:{n}.5]\n"
        "set xtics ({xtics}) rotate by -30\nset ylabel 'ms per token'\nunset key\n"
        "plot for [i=0:{n_last}] {lat_dat} index i using (i+1):1 with boxplot lc i+1\n",
        fmt::arg("speed_png", at("tokens_per_s.png")), fmt::arg("speed_dat", at("tokens_per_s.dat")),
        fmt::arg("last", n_series + 1), fmt::arg("split_png", at("time_split.png")),
        fmt::arg("split_dat", at("time_split.dat")), fmt::arg("lat_png", at("token_latency.png")),
        fmt::arg("lat_dat", at("token_latency.dat")), fmt::arg("xtics", xtics), fmt::arg("n_last", recs.size() - 1), fmt::arg("n", recs.size()));
}

} // namespace

std::vector<std::vector<std::string>> parse_csv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted_field = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted_field) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += text[++i];
            else if (ch == '"')
                quoted_field = false;
            else
                field += ch;
        } else if (ch == '"') {
            quoted_field = true;
        } else if (ch == ',') {
            row.push_back(std::exchange(field, {}));
        } else if (ch == '\n') {
            row.push_back(std::exchange(field, {}));
            rows.push_back(std::exchange(row, {}));
        } else if (ch != '\r') {
            field += ch;
        }
    }
    if (!field.empty() || !row.empty()) {
        row.push_back(field);
        rows.push_back(row);
    }
    return rows;
}

std::vector<fs::path> plot_bench_csv(const std::string& csv_text, const fs::path& dir)
{
    const auto recs = ok_records(csv_text);
    fs::create_directories(dir);
    const auto speed = speed_table(recs);
    const auto n_series = static_cast<std::size_t>(std::count(speed.begin(), speed.begin() + static_cast<long>(speed.find('\n')), '"') / 2);
    write_file(dir / "tokens_per_s.dat", speed);
    write_file(dir / "time_split.dat", split_table(recs));
    write_file(dir / "token_latency.dat", latency_blocks(recs));
    write_file(dir / "plots.gp", script(dir, recs, n_series));
    const auto r = run_child({"gnuplot", (dir / "plots.gp").string()}, false);
    if (r.exit_code == 127)
        throw IoError("bench --plot: gnuplot is not installed (apt-get install gnuplot-nox, or scripts/install-deps.sh)");
    if (r.exit_code != 0) {
        auto err = r.err.substr(0, r.err.find_last_not_of(" \n") + 1); // gnuplot's last line names the problem
        err = err.substr(err.find_last_of('\n') + 1);
        throw IoError(fmt::format("{}: gnuplot failed ({}): {}", (dir / "plots.gp").string(),
                                  describe_exit(r.exit_code), err));
    }
    return {dir / "tokens_per_s.png", dir / "time_split.png", dir / "token_latency.png"};
}

} // namespace edge_rt::cli
