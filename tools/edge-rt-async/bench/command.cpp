// `bench`: sweeps budgets × strategies × threads × I/O backends × prompt and generation lengths.
// Each repetition is a child `run --json` (see bench_child.hpp); results go to stdout, progress
// with an ETA to stderr.
#include "bench/child.hpp"
#include "bench/options.hpp"
#include "bench/plot.hpp"
#include "bench/report.hpp"
#include "byte_size.hpp"
#include "commands.hpp"
#include "model_path.hpp"

#include "edge_rt/config.hpp"
#include "edge_rt/error.hpp"
#include "edge_rt/inspect.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

po::options_description bench_options()
{
    po::options_description opts("bench options (comma lists expand to every combination)");
    opts.add_options()
        ("help,h", "show this help")
        ("model,m", po::value<std::string>(), "model: a GGUF file or a SafeTensors folder (default: the bundled model)")
        ("memory-budget,b", po::value<std::string>(), "budgets, e.g. 256M,512M (default: enough for the whole model)")
        ("strategy,s", po::value<std::string>()->default_value("speculative-prefetch"),
         "strategies: sequential, greedy-grouping, speculative-prefetch, auto")
        ("threads,t", po::value<std::string>()->default_value(std::to_string(default_threads())), "compute thread counts, e.g. 1,2 (default: the CPUs this process may use)")
        ("io-backend", po::value<std::string>()->default_value("auto"), "I/O backends: auto, uring, pread")
        ("prompt-tokens", po::value<std::string>()->default_value("16"), "prompt lengths in tokens")
        ("max-tokens,n", po::value<std::string>()->default_value("16"), "tokens to generate")
        ("parallel", po::value<std::string>()->default_value("1"), "sessions generating at once, sharing every forward pass (run --parallel), e.g. 1,4,16")
        ("lookup", po::value<std::string>(), "also run speculative decoding with prompt lookup, for each n-gram length, e.g. 2,3 (rows beside plain decoding)")
        ("draft-model", po::value<std::string>(), "also run speculative decoding with each draft model, e.g. small.gguf (rows beside plain decoding)")
        ("repetitions,r", po::value<int>()->default_value(3), "runs of each configuration (median and stddev)")
        ("ctx-size", po::value<std::size_t>(), "context length (default: prompt + generated tokens)")
        ("seed", po::value<std::uint64_t>()->default_value(42), "sampler seed (sampling is greedy; kept for the CSV)")
        ("output,o", po::value<std::string>()->default_value("table"), "table, md, csv, json or jsonl")
        ("no-direct-io", "read weights through the page cache instead of O_DIRECT")
        ("drop-caches", "drop the model file from the page cache before each run (all caches when root)")
        ("raw-read", "also measure the raw sequential read bandwidth of the model file (O_DIRECT, same reader) "
                     "before each configuration")
        ("plot", po::value<std::string>(), "write PNG plots into DIR (needs gnuplot)")
        ("from", po::value<std::string>(), "with --plot: plot this earlier `bench -o csv` file instead of running");
    return opts;
}

template <typename T, typename Parse>
std::vector<T> parse_each(const std::string& text, const char* flag, Parse parse)
{
    std::vector<T> values;
    for (const auto& item : split_list(text, flag))
        values.push_back(parse(item));
    return values;
}

BenchOptions to_options(const po::variables_map& vm)
{
    BenchOptions o;
    o.model = vm.count("model") ? std::filesystem::path(vm["model"].as<std::string>()) : default_model_path();
    if (vm.count("memory-budget")) {
        o.budget_labels = split_list(vm["memory-budget"].as<std::string>(), "--memory-budget");
        for (const auto& b : o.budget_labels)
            o.budgets.push_back(parse_bytes(b, "--memory-budget"));
    }
    o.strategies = parse_each<std::string>(vm["strategy"].as<std::string>(), "--strategy", [](const std::string& s) {
        return std::string(to_string(parse_strategy(s)));
    });
    for (const auto t : parse_count_list(vm["threads"].as<std::string>(), "--threads"))
        o.threads.push_back(static_cast<int>(t));
    o.io_backends = parse_each<std::string>(vm["io-backend"].as<std::string>(), "--io-backend", [](const std::string& s) {
        return std::string(to_string(parse_io_backend(s)));
    });
    o.prompt_tokens = parse_count_list(vm["prompt-tokens"].as<std::string>(), "--prompt-tokens");
    o.n_tokens = parse_count_list(vm["max-tokens"].as<std::string>(), "--max-tokens");
    o.parallel = parse_count_list(vm["parallel"].as<std::string>(), "--parallel");
    if (vm.count("lookup"))
        o.lookups = parse_count_list(vm["lookup"].as<std::string>(), "--lookup");
    if (vm.count("draft-model"))
        for (const auto& d : split_list(vm["draft-model"].as<std::string>(), "--draft-model"))
            o.draft_models.emplace_back(d);
    if ((o.repetitions = vm["repetitions"].as<int>()) < 1)
        throw ConfigError("--repetitions must be at least 1");
    if (vm.count("ctx-size"))
        o.ctx_size = vm["ctx-size"].as<std::size_t>();
    o.seed = vm["seed"].as<std::uint64_t>();
    o.format = parse_bench_format(vm["output"].as<std::string>());
    o.direct_io = vm.count("no-direct-io") == 0;
    o.drop_caches = vm.count("drop-caches") > 0;
    o.raw_read = vm.count("raw-read") > 0;
    if (vm.count("plot"))
        o.plot_dir = vm["plot"].as<std::string>();
    if (vm.count("from"))
        o.plot_from = vm["from"].as<std::string>();
    if (o.plot_from && !o.plot_dir)
        throw ConfigError("--from needs --plot DIR");
    return o;
}

/// `n` prompt ids spread over the vocabulary, never the special ids at its ends (unknown, BOS,
/// EOS are 0-2 in Llama vocabularies; GPT-2's end-of-text is the last id) nor the file's BOS/EOS.
std::string prompt_ids(const ModelHeader& model, std::size_t n)
{
    const std::uint64_t vocab = model.hyper.n_vocab;
    std::vector<std::uint64_t> special;
    for (const auto& v : {model.bos_id, model.eos_id})
        if (v)
            special.push_back(*v);
    std::string out;
    for (std::uint64_t i = 0, k = 0; i < n; ++k) {
        const std::uint64_t id = vocab > 8 ? 3 + (k * 97 + 11) % (vocab - 4) : k % vocab;
        if (vocab > 8 && std::find(special.begin(), special.end(), id) != special.end())
            continue;
        fmt::format_to(std::back_inserter(out), "{}{}", out.empty() ? "" : ",", id);
        ++i;
    }
    return out;
}

std::vector<std::string> child_args(const BenchOptions& o, const BenchConfig& c, const std::string& ids)
{
    std::vector<std::string> a{self_executable(), "run", "-m", o.model.string(), "--json", "--prompt-ids", ids,
                               "--temp", "0", "--seed", std::to_string(o.seed), "--ignore-eos",
                               "-n", std::to_string(c.n_tokens),
                               "--ctx-size", std::to_string(o.ctx_size.value_or(c.prompt_tokens + c.n_tokens)),
                               "-t", std::to_string(c.threads), "-s", c.strategy, "--io-backend", c.io_backend};
    if (c.budget > 0)
        a.insert(a.end(), {"-b", std::to_string(c.budget)});
    a.insert(a.end(), c.speculation_args.begin(), c.speculation_args.end());
    if (c.parallel > 1)
        a.insert(a.end(), {"--parallel", std::to_string(c.parallel)});
    if (!o.direct_io)
        a.push_back("--no-direct-io");
    return a;
}

/// The child's own one-line message ("edge-rt-async: ..." prefix dropped), or how it ended.
std::string child_error(const ChildResult& r)
{
    std::string last;
    std::size_t start = 0;
    while (start < r.err.size()) {
        const auto end = std::min(r.err.find('\n', start), r.err.size());
        if (end > start)
            last = r.err.substr(start, end - start);
        start = end + 1;
    }
    const std::string prefix = "edge-rt-async: ";
    if (last.rfind(prefix, 0) == 0)
        last.erase(0, prefix.size());
    return last.empty() ? describe_exit(r.exit_code) : fmt::format("{} ({})", last, describe_exit(r.exit_code));
}

RepResult measure(const ChildResult& child)
{
    const auto doc = nlohmann::json::parse(child.out);
    const auto& m = doc.at("metrics");
    const auto get = [&](const char* key) { return m.at(key).get<double>(); };
    const double passes = std::max(1.0, get("passes"));
    RepResult r;
    r.token_ms = m.at("token_ms").get<std::vector<double>>();
    r.text = doc.at("text").get<std::string>();
    r.io_backend = m.at("io_backend").get<std::string>();
    r.direct_io = m.at("direct_io").get<bool>();
    auto& v = r.values;
    v[metric_index("decode_tok_s")] = get("decode_tokens_per_s");
    v[metric_index("prefill_tok_s")] = get("prefill_tokens_per_s");
    v[metric_index("bytes_per_token")] = get("bytes_read") / passes;
    v[metric_index("read_gb_s")] = get("read_gb_s");
    v[metric_index("io_ms_per_token")] = get("io_ms") / passes;
    v[metric_index("compute_ms_per_token")] = get("compute_ms") / passes;
    v[metric_index("stall_ms_per_token")] = get("stall_ms") / passes;
    v[metric_index("other_ms_per_token")] = (get("wall_ms") - get("compute_ms") - get("stall_ms")) / passes;
    v[metric_index("overlap")] = get("overlap");
    v[metric_index("peak_pool_bytes")] = get("peak_pool_bytes");
    v[metric_index("peak_rss_bytes")] = child.peak_rss_bytes;
    v[metric_index("load_ms")] = get("load_ms");
    v[metric_index("ttft_ms")] = get("load_ms") + (r.token_ms.empty() ? 0.0 : r.token_ms.front());
    v[metric_index("total_ms")] = child.wall_ms;
    // Tokens a pass settles: accepted guesses plus one (speculation), or one per session's step.
    if (const auto s = m.find("speculation"); s != m.end() && s->at("draft").get<std::string>() != "none") {
        v[metric_index("tokens_per_pass")] = s->at("tokens_per_pass").get<double>();
        v[metric_index("acceptance")] = s->at("acceptance_rate").get<double>();
    } else {
        v[metric_index("tokens_per_pass")] = m.contains("steps_per_pass") ? get("steps_per_pass") : 1.0;
    }
    return r;
}

/// Evicts the model from the page cache: the file's pages always, every clean page when root.
/// Returns false when the global drop was not permitted.
bool drop_page_cache(const std::filesystem::path& model)
{
    ::sync();
    if (const int fd = ::open(model.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    }
    std::ofstream drop("/proc/sys/vm/drop_caches");
    drop << "1\n";
    drop.flush();
    return static_cast<bool>(drop);
}

std::string clock_text(double seconds)
{
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

class Progress {
public:
    explicit Progress(std::size_t total) : total_(total), start_(std::chrono::steady_clock::now()) {}
    void done(const BenchConfig& c, int rep, int reps, const std::string& what)
    {
        ++done_;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double eta = elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
        fmt::print(stderr, "bench: [{}/{}] {} rep {}/{}: {}  (elapsed {}, ETA {})\n", done_, total_,
                   config_label(c), rep, reps, what, clock_text(elapsed), clock_text(eta));
    }
    void skip(std::size_t n) { total_ -= n; }

private:
    std::size_t total_, done_ = 0;
    std::chrono::steady_clock::time_point start_;
};

ConfigResult run_config(const BenchOptions& o, const BenchConfig& c, const std::string& ids, Progress& progress)
{
    ConfigResult result{c, {}, {}, {}};
    for (int rep = 1; rep <= o.repetitions; ++rep) {
        if (o.drop_caches && !drop_page_cache(o.model) && rep == 1)
            fmt::print(stderr, "bench: cannot drop the page cache (not root?): only the model file's pages are evicted\n");
        const auto child = run_child(child_args(o, c, ids));
        try {
            if (child.exit_code != 0)
                throw Error(child_error(child));
            result.reps.push_back(measure(child));
            progress.done(c, rep, o.repetitions, fmt::format("{:.2f} tok/s", result.reps.back().values[0]));
        } catch (const std::exception& e) { // an error row, not the end of the sweep
            result.error = dynamic_cast<const Error*>(&e) ? e.what() : fmt::format("unreadable output: {}", e.what());
            progress.done(c, rep, o.repetitions, "failed: " + result.error);
            progress.skip(static_cast<std::size_t>(o.repetitions - rep));
            break;
        }
    }
    result.finish();
    return result;
}

void print_report(const BenchReport& report, BenchFormat format)
{
    switch (format) {
    case BenchFormat::Table:
    case BenchFormat::Markdown:
        fmt::print("{}\n{}", render_table(report, format == BenchFormat::Markdown), render_summary(report));
        break;
    case BenchFormat::Csv: fmt::print("{}", render_csv(report)); break;
    case BenchFormat::Json: fmt::print("{}", render_json(report)); break;
    case BenchFormat::Jsonl: fmt::print("{}", render_jsonl(report)); break;
    }
    std::fflush(stdout);
    if (format != BenchFormat::Table && format != BenchFormat::Markdown)
        fmt::print(stderr, "{}", render_summary(report));
}

void plot(const std::string& csv, const std::filesystem::path& dir)
{
    for (const auto& png : plot_bench_csv(csv, dir))
        fmt::print(stderr, "bench: wrote {}\n", png.string());
}

int bench(const BenchOptions& o)
{
    if (o.plot_from) {
        std::ifstream in(*o.plot_from, std::ios::binary);
        if (!in)
            throw IoError(fmt::format("{}: cannot open the results file", o.plot_from->string()));
        plot({std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}, *o.plot_dir);
        return 0;
    }
    const auto header = read_model_header(o.model);
    BenchReport report{o.model.string(), model_facts(header), machine_facts(), o.repetitions, o.direct_io, o.seed,
                       std::nullopt, {}, {}};
    const auto configs = expand(o);
    Progress progress(configs.size() * static_cast<std::size_t>(o.repetitions));
    for (const auto& c : configs) {
        // Probed before each configuration, not once: a shared or virtual disk's speed drifts
        // over a sweep, and each row is compared with the device as it was for its runs.
        std::optional<tools::IoProbeResult> probe;
        if (o.raw_read) {
            fmt::print(stderr, "bench: measuring the raw read bandwidth of {}\n", o.model.string());
            probe = tools::probe_read_bandwidth(o.model, 4096);
            if (!report.raw_read)
                report.raw_read = probe;
        }
        report.results.push_back(run_config(o, c, prompt_ids(header, c.prompt_tokens), progress));
        report.results.back().raw_gb_s = probe ? probe->mb_per_s() / 1000.0 : 0.0;
    }
    report.summary = summarize(report.results);
    print_report(report, o.format);
    if (o.plot_dir)
        plot(render_csv(report), *o.plot_dir);
    return report.summary.fastest ? 0 : kExitFailure;
}

} // namespace

int bench_command(const std::vector<std::string>& args)
{
    const auto opts = bench_options();
    po::variables_map vm;
    const po::positional_options_description none; // a stray word is an error, not ignored
    po::store(po::command_line_parser(args).options(opts).positional(none).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async bench [-m MODEL] [-b 256M,512M] [-s LIST] [-t LIST] [--io-backend LIST]\n"
                     "                           [--parallel LIST] [--lookup LIST] [--draft-model PATHS]\n"
                     "                           [--prompt-tokens LIST] [-n LIST] [-r N] [-o FORMAT] [--plot DIR]\n"
                     "       edge-rt-async bench --plot DIR --from results.csv\n\n"
                     "Runs every combination of the lists, each -r times as a separate `run --json` child\n"
                     "process (greedy, deterministic prompt ids, EOS ignored), and reports medians and\n"
                     "standard deviations. A configuration that fails (e.g. a budget below the model's\n"
                     "minimum) is a row with its error. Results go to stdout, progress to stderr.\n"
                     "EDGE_RT_EXEC_WRAPPER, if set, is put in front of each child's command (an emulator).\n\n"
                  << opts;
        return 0;
    }
    return bench(to_options(vm));
}

} // namespace edge_rt::cli
