// PNG plots of bench results, drawn by gnuplot (Debian's gnuplot-nox): decode tokens/s by
// budget and strategy, the per-token time split (compute, stall, I/O busy), and the per-token
// latency distribution of each configuration.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edge_rt::cli {

/// Reads the CSV that `bench -o csv` writes (RFC 4180 quoting) into rows of fields.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

/// Draws the plots of a bench CSV into `dir` (created if missing) and returns the PNG paths.
/// Throws IoError when gnuplot is missing or fails, FormatError when the CSV lacks a column.
std::vector<std::filesystem::path> plot_bench_csv(const std::string& csv_text, const std::filesystem::path& dir);

} // namespace edge_rt::cli
