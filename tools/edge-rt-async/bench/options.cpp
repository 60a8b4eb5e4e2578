#include "bench/options.hpp"

#include "edge_rt/error.hpp"

#include <charconv>
#include <fmt/format.h>

namespace edge_rt::cli {

std::vector<std::string> split_list(const std::string& text, const char* flag)
{
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.empty())
            throw ConfigError(fmt::format("{}: '{}' has an empty item (expected a comma list such as a,b)", flag, text));
        items.push_back(std::move(item));
        start = end + 1;
    }
    return items;
}

std::vector<std::size_t> parse_count_list(const std::string& text, const char* flag)
{
    std::vector<std::size_t> values;
    for (const auto& item : split_list(text, flag)) {
        std::size_t v = 0;
        const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (ec != std::errc() || ptr != item.data() + item.size() || v == 0)
            throw ConfigError(fmt::format("{}: '{}' is not a positive whole number", flag, item));
        values.push_back(v);
    }
    return values;
}

BenchFormat parse_bench_format(const std::string& text)
{
    for (auto f : {BenchFormat::Table, BenchFormat::Markdown, BenchFormat::Csv, BenchFormat::Json, BenchFormat::Jsonl})
        if (text == to_string(f))
            return f;
    throw ConfigError(fmt::format("-o/--output: unknown format '{}' (expected table, md, csv, json or jsonl)", text));
}

const char* to_string(BenchFormat f)
{
    switch (f) {
    case BenchFormat::Table: return "table";
    case BenchFormat::Markdown: return "md";
    case BenchFormat::Csv: return "csv";
    case BenchFormat::Json: return "json";
    case BenchFormat::Jsonl: return "jsonl";
    }
    return "table";
}

namespace {

std::vector<BenchConfig> speculation_axis(const BenchOptions& o)
{
    std::vector<BenchConfig> ways{{}};
    for (const auto n : o.lookups) {
        BenchConfig c;
        c.speculation = fmt::format("lookup{}", n);
        c.speculation_args = {"--lookup", std::to_string(n)};
        ways.push_back(c);
    }
    for (const auto& d : o.draft_models) {
        BenchConfig c;
        c.speculation = "draft:" + d.filename().string();
        c.speculation_args = {"--draft-model", d.string()};
        ways.push_back(c);
    }
    return ways;
}

} // namespace

std::vector<BenchConfig> expand(const BenchOptions& o)
{
    std::vector<std::pair<std::string, std::uint64_t>> budgets;
    for (std::size_t i = 0; i < o.budgets.size(); ++i)
        budgets.emplace_back(o.budget_labels.at(i), o.budgets[i]);
    if (budgets.empty())
        budgets.emplace_back("model", 0);
    std::vector<BenchConfig> configs;
    for (const auto& [label, bytes] : budgets)
        for (const auto& way : speculation_axis(o))
            for (const auto par : o.parallel)
                for (const auto& s : o.strategies)
                    for (const int t : o.threads)
                        for (const auto& io : o.io_backends)
                            for (const auto p : o.prompt_tokens)
                                for (const auto n : o.n_tokens)
                                    configs.push_back({label, bytes, s, t, io, p, n, way.speculation,
                                                       way.speculation_args, par});
    return configs;
}

} // namespace edge_rt::cli
