// `edge-rt-async bench` end to end on the bundled model: the sweep's shape, the CSV seed columns,
// JSON and JSON Lines, error rows, bad lists, and plots (when gnuplot is installed).
#include "env.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

using namespace edge_rt::test;
using ::testing::HasSubstr;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

// The children bench starts must run under the same emulator as bench itself (cross builds).
ProcessResult bench(std::vector<std::string> args)
{
    if (const char* wrapper = std::getenv("MESON_EXE_WRAPPER"))
        ::setenv("EDGE_RT_EXEC_WRAPPER", wrapper, 1);
    args.insert(args.begin(), "bench");
    return run_cli(args);
}

// A plain CSV reader for the test's own use: quoted fields with "" escapes.
std::vector<std::vector<std::string>> csv_rows(const std::string& text)
{
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"')
            field += text[++i];
        else if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ',')
            rows.back().push_back(std::exchange(field, {}));
        else if (!quoted && c == '\n') {
            rows.back().push_back(std::exchange(field, {}));
            rows.emplace_back();
        } else
            field += c;
    }
    rows.pop_back(); // after the last newline
    return rows;
}

std::vector<Row> records(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<Row> out;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].size(), rows[0].size()) << "row " << i;
        Row r;
        for (std::size_t c = 0; c < rows[0].size() && c < rows[i].size(); ++c)
            r[rows[0][c]] = rows[i][c];
        out.push_back(std::move(r));
    }
    return out;
}

double num(const Row& r, const std::string& key) { return std::stod(r.at(key)); }

std::string host_name()
{
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

const std::vector<std::string> kSeedColumns{
    "step", "enqueue_latency_ms", "total_latency_ms", "tokens_per_sec", "memory_throughput_gb_s",
    "param_throughput_gb_s", "generated_text", "platform", "release", "device", "username", "hostname",
    "size", "quantize", "seed", "uuid"};

// Median between min and max, all three non-negative, for every repeated metric of a row.
void expect_sane_stats(const Row& r)
{
    for (const char* m : {"decode_tok_s", "prefill_tok_s", "bytes_per_token", "compute_ms_per_token",
                          "peak_pool_bytes", "peak_rss_bytes", "total_ms"}) {
        const std::string k = m;
        EXPECT_LE(num(r, k + "_min"), num(r, k + "_median")) << m;
        EXPECT_LE(num(r, k + "_median"), num(r, k + "_max")) << m;
        EXPECT_GE(num(r, k + "_min"), 0.0) << m;
        EXPECT_GE(num(r, k + "_stddev"), 0.0) << m;
    }
}

} // namespace

TEST(BenchCli, CsvHasTheSeedColumnsAndOneSaneRowPerCombination)
{
    const auto r = bench({"-b", "512K,4M", "-s", "sequential,speculative-prefetch", "--prompt-tokens", "2",
                          "-n", "4", "-r", "2", "-o", "csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = csv_rows(r.out);
    ASSERT_FALSE(rows.empty());
    ASSERT_GE(rows[0].size(), kSeedColumns.size());
    EXPECT_EQ(std::vector<std::string>(rows[0].begin(), rows[0].begin() + 16), kSeedColumns);
    const auto recs = records(rows);
    ASSERT_EQ(recs.size(), 4u); // 2 budgets × 2 strategies
    const auto model_bytes = static_cast<double>(fs::file_size(bundled_model()));
    const std::vector<std::pair<std::string, std::string>> order{
        {"512K", "sequential"}, {"512K", "speculative-prefetch"}, {"4M", "sequential"}, {"4M", "speculative-prefetch"}};
    for (std::size_t i = 0; i < recs.size(); ++i) {
        const auto& row = recs[i];
        SCOPED_TRACE(i);
        EXPECT_EQ(row.at("status"), "ok") << row.at("error");
        EXPECT_EQ(row.at("budget"), order[i].first);
        EXPECT_EQ(row.at("strategy"), order[i].second);
        EXPECT_EQ(row.at("budget_bytes"), order[i].first == "512K" ? "524288" : "4194304");
        EXPECT_EQ(row.at("step"), std::to_string(i));
        EXPECT_EQ(row.at("reps"), "2");
        EXPECT_EQ(row.at("io_backend"), "auto");
        EXPECT_THAT(row.at("io_backend_used"), ::testing::AnyOf("uring", "pread"));
        EXPECT_GT(num(row, "tokens_per_sec"), 0.0);
        EXPECT_EQ(num(row, "tokens_per_sec"), num(row, "decode_tok_s_median"));
        EXPECT_GT(num(row, "total_latency_ms"), num(row, "enqueue_latency_ms"));
        EXPECT_GT(num(row, "peak_rss_bytes_median"), num(row, "peak_pool_bytes_median"));
        expect_sane_stats(row);
        // A 512K budget cannot hold this 1.1 MiB model: every pass streams part of it, about
        // the file at most (O_DIRECT widens each group's read to 4 KiB boundaries: 10% slack).
        // 4M holds it all: nothing is read per token.
        if (order[i].first == "512K") {
            EXPECT_GT(num(row, "bytes_per_token_median"), 0.0);
            EXPECT_LE(num(row, "bytes_per_token_median"), 1.1 * model_bytes);
            EXPECT_LE(num(row, "peak_pool_bytes_max"), 524288.0);
        } else {
            EXPECT_EQ(num(row, "bytes_per_token_median"), 0.0);
        }
        // 2 repetitions × 4 generated tokens, each a positive time.
        std::istringstream ms(row.at("token_ms"));
        int count = 0;
        for (std::string v; std::getline(ms, v, ';'); ++count)
            EXPECT_GT(std::stod(v), 0.0);
        EXPECT_EQ(count, 8);
        EXPECT_EQ(row.at("platform"), "Linux");
        EXPECT_EQ(row.at("hostname"), host_name());
        EXPECT_EQ(row.at("quantize"), "f32");
        EXPECT_EQ(row.at("uuid"), recs[0].at("uuid"));
        EXPECT_EQ(row.at("uuid").size(), 36u);
    }
    EXPECT_THAT(r.err, HasSubstr("ETA"));
    EXPECT_THAT(r.err, HasSubstr("fastest: "));
}

// --lookup and --parallel add rows beside plain decoding: one per speculation way and session
// count, with tokens per pass measured (a speculative pass settles its accepted guesses too; a
// shared pass settles a token for each session).
TEST(BenchCli, LookupAndParallelSweepsAreRowsBesidePlainDecoding)
{
    const auto r = bench({"--prompt-tokens", "4", "-n", "24", "-r", "1", "--lookup", "2", "--parallel", "1,2",
                          "--ctx-size", "64", "-o", "csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto recs = records(csv_rows(r.out));
    ASSERT_EQ(recs.size(), 4u); // {plain, lookup2} x {1, 2} sessions
    const std::vector<std::pair<std::string, std::string>> order{
        {"none", "1"}, {"none", "2"}, {"lookup2", "1"}, {"lookup2", "2"}};
    for (std::size_t i = 0; i < recs.size(); ++i) {
        SCOPED_TRACE(i);
        const auto& row = recs[i];
        EXPECT_EQ(row.at("status"), "ok") << row.at("error");
        EXPECT_EQ(row.at("speculation"), order[i].first);
        EXPECT_EQ(row.at("parallel"), order[i].second);
        const double per_pass = num(row, "tokens_per_pass_median");
        if (order[i].first == "none")
            EXPECT_DOUBLE_EQ(per_pass, order[i].second == "2" ? 2.0 : 1.0);
        else
            EXPECT_GE(per_pass, 1.0);
    }
    EXPECT_THAT(run_cli({"bench", "--parallel", "0"}).err, HasSubstr("--parallel: '0' is not a positive whole number"));
}

TEST(BenchCli, JsonIsOneDocumentWithRawReadAndSummary)
{
    const auto r = bench({"-b", "512K,2M", "-s", "speculative-prefetch", "--prompt-tokens", "3", "-n", "4", "-r", "3",
                          "--raw-read", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = json::parse(r.out);
    ASSERT_EQ(doc.at("results").size(), 2u);
    const auto& raw = doc.at("raw_read");
    ASSERT_TRUE(raw.is_object());
    EXPECT_EQ(raw.at("bytes_per_probe").get<std::uint64_t>(), fs::file_size(bundled_model()) / 4096 * 4096);
    // One probe per configuration, taken before it; each row is compared with its own, and the
    // report's figure is their median.
    ASSERT_EQ(raw.at("probes_gb_s").size(), 2u);
    const double p0 = raw.at("probes_gb_s")[0].get<double>(), p1 = raw.at("probes_gb_s")[1].get<double>();
    EXPECT_GT(p0, 0.0);
    EXPECT_GT(p1, 0.0);
    EXPECT_GE(raw.at("gb_s").get<double>(), std::min(p0, p1));
    EXPECT_LE(raw.at("gb_s").get<double>(), std::max(p0, p1));
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& row = doc.at("results")[i];
        EXPECT_EQ(row.at("status"), "ok");
        EXPECT_EQ(row.at("reps"), 3);
        EXPECT_EQ(row.at("prompt_tokens"), 3);
        for (const auto& [name, s] : row.at("metrics").items()) {
            EXPECT_LE(s.at("min").get<double>(), s.at("median").get<double>()) << name;
            EXPECT_LE(s.at("median").get<double>(), s.at("max").get<double>()) << name;
        }
        EXPECT_EQ(row.at("token_ms").size(), 12u);
        EXPECT_EQ(row.at("raw_read_gb_s").get<double>(), raw.at("probes_gb_s")[i].get<double>());
        const double read = row.at("metrics").at("read_gb_s").at("median").get<double>();
        EXPECT_NEAR(row.at("read_share_of_raw").get<double>(), read / row.at("raw_read_gb_s").get<double>(), 1e-9);
    }
    EXPECT_TRUE(doc.at("summary").at("fastest").is_number());
    EXPECT_TRUE(doc.at("summary").at("most_memory_efficient").is_number());
    EXPECT_EQ(doc.at("model_facts").at("weight_bytes").get<std::uint64_t>() > 0, true);
}

TEST(BenchCli, JsonlIsOneObjectPerConfiguration)
{
    const auto r = bench({"-t", "1,2", "--io-backend", "pread", "--prompt-tokens", "2", "-n", "3", "-r", "1", "-o", "jsonl"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::vector<json> objs;
    for (std::string line; std::getline(lines, line);)
        objs.push_back(json::parse(line));
    ASSERT_EQ(objs.size(), 2u);
    EXPECT_EQ(objs[0].at("threads"), 1);
    EXPECT_EQ(objs[1].at("threads"), 2);
    for (const auto& o : objs) {
        EXPECT_EQ(o.at("status"), "ok");
        EXPECT_EQ(o.at("budget"), "model");
        EXPECT_EQ(o.at("io_backend"), "pread");
        EXPECT_EQ(o.at("io_backend_used"), "pread");
        EXPECT_EQ(o.at("token_ms").size(), 3u);
        EXPECT_EQ(o.at("uuid"), objs[0].at("uuid"));
    }
}

TEST(BenchCli, ABudgetBelowTheMinimumIsAnErrorRowNotTheEndOfTheSweep)
{
    const auto r = bench({"-b", "64K,4M", "--prompt-tokens", "2", "-n", "3", "-r", "2", "-o", "csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto recs = records(csv_rows(r.out));
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].at("status"), "error");
    EXPECT_THAT(recs[0].at("error"), HasSubstr("minimum"));
    EXPECT_EQ(recs[0].at("tokens_per_sec"), "");
    EXPECT_EQ(recs[1].at("status"), "ok");
    // Nothing ran at all: the sweep fails, the table still says why.
    const auto none = bench({"-b", "64K", "-n", "2", "-r", "1"});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_THAT(none.out, HasSubstr("minimum"));
    EXPECT_THAT(none.out, HasSubstr("no configuration ran successfully"));
}

TEST(BenchCli, BadListValuesAreOneLineAndAUsageExit)
{
    for (const auto& [args, word] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"-b", "256M,12Q"}, "12Q"},
             {{"-s", "sequential,fast"}, "fast"},
             {{"-t", "1,0"}, "'0'"},
             {{"-n", "4,,8"}, "empty"},
             {{"--io-backend", "mmap"}, "mmap"},
             {{"-o", "xml"}, "xml"},
             {{"--from", "x.csv"}, "--plot"}}) {
        const auto r = bench(args);
        EXPECT_EQ(r.exit_code, 2) << word;
        EXPECT_THAT(r.err, HasSubstr(word));
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_TRUE(r.out.empty()) << word;
    }
}

TEST(BenchCli, PlotsArePngFilesFromASweepAndFromItsCsv)
{
    if (run_process({"sh", "-c", "command -v gnuplot"}).exit_code != 0)
        GTEST_SKIP() << "gnuplot is not installed (scripts/install-deps.sh installs gnuplot-nox)";
    TempDir dir;
    const auto r = bench({"-b", "512K,4M", "-s", "sequential,speculative-prefetch", "--prompt-tokens", "2", "-n", "3",
                          "-r", "1", "-o", "csv", "--plot", (dir.path() / "a").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto csv = dir.path() / "results.csv";
    std::ofstream(csv) << r.out;
    const auto again = bench({"--plot", (dir.path() / "b").string(), "--from", csv.string()});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    for (const char* sub : {"a", "b"})
        for (const char* png : {"tokens_per_s.png", "time_split.png", "token_latency.png"}) {
            const auto bytes = read_file(dir.path() / sub / png);
            ASSERT_GT(bytes.size(), 1000u) << sub << "/" << png;
            EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 4),
                      (std::vector<std::uint8_t>{0x89, 'P', 'N', 'G'})) << png;
        }
}
