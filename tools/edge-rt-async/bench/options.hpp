// `bench`'s command line: the lists a sweep expands (as a cartesian product) and how to report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edge_rt::cli {

enum class BenchFormat { Table, Markdown, Csv, Json, Jsonl };

/// One point of the sweep: what one child `run` is given.
struct BenchConfig {
    std::string budget_label;     // as typed ("256M"); "model" without -b: all weights resident
    std::uint64_t budget = 0;     // 0: no -b, the child sizes the budget to hold the model
    std::string strategy;
    int threads = 1;
    std::string io_backend;
    std::size_t prompt_tokens = 0;
    std::size_t n_tokens = 0;
    std::string speculation = "none"; // "none", "lookup3", "draft:NAME": what `run` is given
    std::vector<std::string> speculation_args;
    std::size_t parallel = 1;         // sessions generating at once (run --parallel)
};

struct BenchOptions {
    std::filesystem::path model;
    std::vector<std::string> budget_labels; // empty: one config without -b
    std::vector<std::uint64_t> budgets;
    std::vector<std::string> strategies;
    std::vector<int> threads;
    std::vector<std::string> io_backends;
    std::vector<std::size_t> prompt_tokens;
    std::vector<std::size_t> n_tokens;
    std::vector<std::size_t> lookups;                  // --lookup: n-gram lengths, each a row beside plain
    std::vector<std::filesystem::path> draft_models;   // --draft-model: each a row beside plain
    std::vector<std::size_t> parallel{1};              // --parallel: sessions at once
    int repetitions = 3;
    std::optional<std::size_t> ctx_size; // default per config: prompt + n, as llama-bench does
    std::uint64_t seed = 42;
    BenchFormat format = BenchFormat::Table;
    bool direct_io = true;
    bool drop_caches = false;
    bool raw_read = false;
    std::optional<std::filesystem::path> plot_dir;
    std::optional<std::filesystem::path> plot_from; // plot an earlier CSV instead of running
};

/// Splits "a,b,c" (spaces around commas allowed); ConfigError naming `flag` on an empty item.
std::vector<std::string> split_list(const std::string& text, const char* flag);

/// Positive integers, e.g. "1,2"; ConfigError naming `flag` and the bad item.
std::vector<std::size_t> parse_count_list(const std::string& text, const char* flag);

BenchFormat parse_bench_format(const std::string& text);
const char* to_string(BenchFormat f);

/// The cartesian product, budgets outermost, then speculation (plain, each lookup, each draft
/// model) and parallel sessions, generation lengths innermost.
std::vector<BenchConfig> expand(const BenchOptions& o);

} // namespace edge_rt::cli
