// `run`: generate text from a prompt. Tokens stream to stdout as they are sampled; a timing
// summary goes to stderr at the end, or with --json one object with ids, text and metrics.
#include "commands.hpp"
#include "model_path.hpp"
#include "run/metrics.hpp"
#include "run/parallel.hpp"
#include "settings.hpp"

#include "edge_rt/runtime.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <unistd.h>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

// What `run` needs beyond the shared settings (settings.hpp): the prompt and the output.
struct RunOptions {
    RunSettings settings;
    std::filesystem::path model;
    SamplingConfig sampling;
    std::optional<std::string> prompt_text;
    std::optional<std::string> prompt_ids;
    std::size_t max_tokens = 128;
    bool verbose = false;
    bool json = false;
    bool no_bos = false;
    bool special = false;    // parse special tokens written in the prompt
    bool ignore_eos = false; // benchmarks: always generate -n tokens
    std::optional<std::filesystem::path> tokenizer; // overrides the model's own
    std::optional<std::filesystem::path> logits_out;
    SpeculationConfig speculation;                  // --lookup / --draft-model / --draft-max
    std::optional<std::filesystem::path> draft_model;
    std::size_t draft_max = 0;
    std::size_t parallel = 1; // sessions generating the request at once, sharing every pass
};

/// Exit status after Ctrl-C: 128 + SIGINT, as a shell reports a process the signal ended, even
/// though generation stopped cleanly and the report was printed.
constexpr int kExitInterrupted = 128 + SIGINT;

po::options_description run_options()
{
    po::options_description opts("run options");
    opts.add_options()
        ("help,h", "show this help")
        ("prompt,p", po::value<std::string>(), "prompt text")
        ("file,f", po::value<std::string>(), "read the prompt text from FILE ('-' = stdin)")
        ("prompt-ids", po::value<std::string>(), "prompt as token ids, e.g. 1,403,407 (used as given: no BOS is added)")
        ("max-tokens,n", po::value<std::size_t>()->default_value(128), "tokens to generate at most")
        ("verbose,v", "print the execution plan to stderr")
        ("json", "print one JSON object at the end instead of streaming text")
        ("logits-out", po::value<std::string>(), "write each step's logits (f32 little-endian, one row of vocab-size values per generated token, before any penalty) to FILE")
        ("no-bos", "do not start a text prompt with the BOS token")
        ("special", "parse special tokens written in the prompt (<s>, <|im_start|>, <|eot_id|>) as their ids; "
                    "without it they are plain text")
        ("ignore-eos", "do not stop at the end-of-sequence token: generate all -n tokens")
        ("lookup", po::value<std::size_t>()->implicit_value(3), "speculative decoding with prompt lookup: guess the next tokens from where the context's last N tokens (default 3, down to 1) occurred before; one pass verifies them all")
        ("draft-model", po::value<std::string>(), "speculative decoding with a small draft model of the same vocabulary (a GGUF or HF folder), kept resident; its bytes count against -b")
        ("draft-max", po::value<std::size_t>(), "draft tokens one pass verifies at most (default 8; the plan lowers it so a pass stays bound by its reads)")
        ("replay-draft", po::value<std::string>(), "measuring device for benchmarks, not a feature: speculate with this file's token ids (the model's recorded greedy output, e.g. run --json's generated_ids) as the draft, each guess right with probability --replay-acceptance")
        ("replay-acceptance", po::value<double>()->default_value(1.0), "--replay-draft: the probability that each guess is right (0-1)")
        ("parallel", po::value<std::size_t>()->default_value(1), "N sessions generate the same request at once, sharing every forward pass (continuous batching); the budget is planned for all N and the report is of them together")
        ("tokenizer", po::value<std::string>(), "tokenizer to use instead of the model's: a GGUF, a tokenizer.json, or a folder with vocab.json+merges.txt or encoder.json+vocab.bpe");
    opts.add(settings_options(true));
    return opts;
}

/// Parses "1,403,407" (spaces allowed around commas). Throws ConfigError naming the bad part.
std::vector<std::int32_t> parse_ids(const std::string& text)
{
    std::vector<std::int32_t> ids;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        std::string part = text.substr(start, end - start);
        part.erase(0, part.find_first_not_of(" \t"));
        part.erase(part.find_last_not_of(" \t") + 1);
        std::int32_t id = 0;
        const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
        if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || id < 0)
            throw ConfigError(fmt::format("--prompt-ids: '{}' is not a token id (expected e.g. 1,403,407)", part));
        ids.push_back(id);
        start = end + 1;
    }
    return ids;
}

/// The file's text ('-' = stdin); IoError naming the file and `what` it was to be.
std::string read_text_file(const std::string& path, const char* what)
{
    if (path == "-")
        return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(fmt::format("{}: cannot open {}: {}", path, what, std::strerror(errno)));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RunOptions to_options(const po::variables_map& vm)
{
    RunOptions o;
    o.settings = resolve_settings(vm);
    o.model = o.settings.model ? *o.settings.model : default_model_path();
    o.sampling = sampling_config(o.settings, std::random_device{}());
    const int sources = static_cast<int>(vm.count("prompt") + vm.count("file") + vm.count("prompt-ids"));
    if (sources > 1)
        throw ConfigError("give one of -p/--prompt, -f/--file and --prompt-ids");
    if (vm.count("prompt"))
        o.prompt_text = vm["prompt"].as<std::string>();
    if (vm.count("file"))
        o.prompt_text = read_text_file(vm["file"].as<std::string>(), "prompt file");
    if (vm.count("prompt-ids"))
        o.prompt_ids = vm["prompt-ids"].as<std::string>();
    o.max_tokens = vm["max-tokens"].as<std::size_t>();
    o.verbose = vm.count("verbose") > 0;
    o.json = vm.count("json") > 0;
    o.no_bos = vm.count("no-bos") > 0;
    o.special = vm.count("special") > 0;
    o.ignore_eos = vm.count("ignore-eos") > 0;
    if (vm.count("tokenizer"))
        o.tokenizer = vm["tokenizer"].as<std::string>();
    if (vm.count("logits-out"))
        o.logits_out = vm["logits-out"].as<std::string>();
    if (vm.count("lookup") + vm.count("draft-model") + vm.count("replay-draft") > 1)
        throw ConfigError("give one of --lookup, --draft-model and --replay-draft");
    if (vm.count("replay-draft")) {
        o.speculation.draft = DraftKind::Replay;
        const auto path = vm["replay-draft"].as<std::string>();
        std::string text = read_text_file(path, "the replay draft's ids file");
        for (char& c : text)
            if (c == '[' || c == ']' || std::isspace(static_cast<unsigned char>(c)))
                c = ',';
        text.erase(std::unique(text.begin(), text.end(), [](char a, char b) { return a == ',' && b == ','; }), text.end());
        text.erase(0, text.find_first_not_of(','));
        text.erase(text.find_last_not_of(',') + 1);
        try {
            o.speculation.replay_ids = parse_ids(text);
        } catch (const ConfigError& e) {
            throw ConfigError(fmt::format("--replay-draft {}: {}", path, e.what()));
        }
        o.speculation.replay_acceptance = vm["replay-acceptance"].as<double>();
        if (!(o.speculation.replay_acceptance >= 0.0 && o.speculation.replay_acceptance <= 1.0))
            throw ConfigError(fmt::format("--replay-acceptance: {} is not between 0 and 1", o.speculation.replay_acceptance));
    }
    if (vm.count("lookup")) {
        o.speculation.draft = DraftKind::Lookup;
        o.speculation.lookup_ngram = vm["lookup"].as<std::size_t>();
        if (o.speculation.lookup_ngram == 0)
            throw ConfigError("--lookup: the n-gram length must be at least 1");
    }
    if (vm.count("draft-model")) {
        o.speculation.draft = DraftKind::Model;
        o.draft_model = vm["draft-model"].as<std::string>();
    }
    o.parallel = vm["parallel"].as<std::size_t>();
    if (o.parallel == 0 || o.parallel > 1024)
        throw ConfigError(fmt::format("--parallel: {} is not between 1 and 1024", o.parallel));
    if (o.parallel > 1 && o.logits_out)
        throw ConfigError("--logits-out writes one generation's logits: it cannot be used with --parallel");
    if (vm.count("draft-max")) {
        o.draft_max = vm["draft-max"].as<std::size_t>();
        if (o.draft_max == 0)
            throw ConfigError("--draft-max: must be at least 1");
        o.speculation.max_draft = o.draft_max;
    }
    return o;
}

/// The --logits-out file, written under a temporary name and renamed when generation
/// finished, so a failed run never leaves a partial file behind.
class LogitsFile {
public:
    explicit LogitsFile(const std::filesystem::path& path)
        : path_(path), tmp_(path.string() + fmt::format(".partial-{}", ::getpid())),
          out_(tmp_, std::ios::binary | std::ios::trunc)
    {
        if (!out_)
            throw IoError(fmt::format("{}: cannot create logits file: {}", path_.string(), std::strerror(errno)));
    }
    ~LogitsFile()
    {
        if (!committed_) {
            out_.close();
            std::error_code ec;
            std::filesystem::remove(tmp_, ec);
        }
    }
    LogitsFile(const LogitsFile&) = delete;
    LogitsFile& operator=(const LogitsFile&) = delete;

    void write(std::span<const float> row)
    {
        // Little-endian f32: the byte order of every host this builds for.
        out_.write(reinterpret_cast<const char*>(row.data()), static_cast<std::streamsize>(row.size_bytes()));
    }
    void commit()
    {
        out_.close();
        if (!out_)
            throw IoError(fmt::format("{}: writing the logits failed", path_.string()));
        std::filesystem::rename(tmp_, path_);
        committed_ = true;
    }

private:
    std::filesystem::path path_, tmp_;
    std::ofstream out_;
    bool committed_ = false;
};

/// Runs `io` until `done`: one operation of `run` at a time, on this thread.
void run_until(asio::io_context& io, const bool& done)
{
    io.restart();
    while (!done && io.run_one() > 0) {
    }
}

Model load(asio::io_context& io, const RunOptions& o)
{
    RuntimeConfig config = o.settings.runtime;
    if (o.tokenizer) // an explicit --tokenizer must load (its errors are the user's to see)
        config.tokenizer_path = o.tokenizer->string();
    if (o.draft_model)
        config.draft_model_path = o.draft_model->string();
    config.draft_max = o.draft_max;
    config.sessions = o.parallel;
    // The monitor applies its limits at token boundaries; each change is logged as one line.
    config.monitor.on_change = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
    bool done = false;
    std::exception_ptr error;
    Model model;
    async_load(io, o.model.string(), std::move(config), [&](std::exception_ptr e, Model m) {
        error = e;
        model = std::move(m);
        done = true;
    });
    run_until(io, done);
    if (error)
        std::rethrow_exception(error);
    return model;
}

GenerateRequest request_for(const RunOptions& o, const Model& model)
{
    GenerateRequest r;
    if (o.prompt_ids)
        r.prompt_ids = parse_ids(*o.prompt_ids);
    if (o.prompt_text && !model.info().has_tokenizer)
        throw ConfigError(fmt::format("text prompts need a tokenizer, and this model has none ({}); "
                                      "give token ids with --prompt-ids",
                                      model.info().tokenizer_error));
    if (o.prompt_text)
        r.prompt = *o.prompt_text;
    r.no_bos = o.no_bos;
    r.parse_special = o.special;
    r.ignore_eos = o.ignore_eos;
    r.max_tokens = o.max_tokens;
    r.sampling = o.sampling;
    r.speculation = o.speculation;
    return r;
}

void write_out(std::string_view piece)
{
    if (!piece.empty()) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
    }
}

/// A failed generation as the exception `run` reports (one line; ConfigError = a usage error).
[[noreturn]] void throw_failure(const RunOptions& o, std::error_code ec, const GenerateResult& r)
{
    const std::string message = r.error.empty() ? ec.message() : r.error;
    if (ec == GenerateErrc::BadRequest)
        throw ConfigError(o.prompt_ids ? "--prompt-ids: " + message : message);
    throw Error(message);
}

/// How generation ended (stderr), then the JSON object or the timing summary; the exit status.
int report(const RunOptions& o, const Model& model, const Session& session, const GenerateResult& result)
{
    if (result.stop == StopReason::Cancelled)
        fmt::print(stderr, "{}edge-rt-async: interrupted after {} tokens\n", o.json ? "" : "\n", result.tokens.size());
    if (result.stop == StopReason::ContextFull)
        fmt::print(stderr, "{}edge-rt-async: stopped after {} tokens: the context of {} tokens is full (--ctx-size)\n",
                   o.json ? "" : "\n", result.tokens.size(), session.n_ctx());
    if (o.json) {
        const nlohmann::ordered_json out = {
            {"model", o.model.string()},
            {"prompt_ids", result.prompt_ids},
            {"generated_ids", result.tokens},
            {"text", model.info().has_tokenizer ? result.text : std::string()},
            {"metrics", metrics_json(model, session, result,
                                     {o.sampling.seed, static_cast<int>(o.settings.runtime.threads)})},
        };
        fmt::print("{}\n", out.dump());
    } else {
        fmt::print("\n");
        std::fflush(stdout);
        print_summary(model, result);
    }
    return result.stop == StopReason::Cancelled ? kExitInterrupted : 0;
}

/// --parallel N: every session's text after the others have finished (they generate together),
/// or one JSON object for all of them.
int generate_together(const RunOptions& o, asio::io_context& io, asio::signal_set& interrupt, Model& model)
{
    const auto run = generate_parallel(model, request_for(o, model), o.parallel, o.settings.runtime.ctx_size, io,
                                       interrupt);
    bool interrupted = false;
    for (std::size_t i = 0; i < run.results.size(); ++i) {
        const auto ec = run.errors[i];
        interrupted = interrupted || ec == asio::error::operation_aborted;
        if (ec && ec != asio::error::operation_aborted)
            throw_failure(o, ec, run.results[i]);
    }
    if (interrupted)
        fmt::print(stderr, "edge-rt-async: interrupted\n");
    if (o.json) {
        const nlohmann::ordered_json out = {
            {"model", o.model.string()},
            {"prompt_ids", run.results.front().prompt_ids},
            {"generated_ids", run.results.front().tokens},
            {"text", model.info().has_tokenizer ? run.results.front().text : std::string()},
            {"metrics", parallel_metrics_json(model, run, {o.sampling.seed, static_cast<int>(o.settings.runtime.threads)})},
        };
        fmt::print("{}\n", out.dump());
    } else {
        for (std::size_t i = 0; i < run.results.size(); ++i) {
            const auto& r = run.results[i];
            fmt::print("[session {}] {}{}\n", i + 1, model.info().has_tokenizer ? r.prompt_text : "",
                       model.info().has_tokenizer ? r.text : fmt::format("{}", fmt::join(r.tokens, " ")));
        }
        std::fflush(stdout);
        print_parallel_summary(model, run);
    }
    return interrupted ? kExitInterrupted : 0;
}

/// The prompt is echoed first (as llama.cpp does) so the output reads as one text, then each
/// token's text as it comes (ids for a model without a tokenizer).
int generate(const RunOptions& o, asio::io_context& io, asio::signal_set& interrupt, Model& model)
{
    Session session(model, {.ctx_size = o.settings.runtime.ctx_size});
    auto request = request_for(o, model);
    std::optional<LogitsFile> logits_file;
    if (o.logits_out)
        logits_file.emplace(*o.logits_out);
    std::size_t printed = 0; // bytes of the generated text on stdout so far
    if (!o.json)
        request.on_prompt = [](std::span<const std::int32_t>, std::string_view text) { write_out(text); };
    auto on_token = [&](const TokenEvent& t) {
        if (logits_file)
            logits_file->write(t.logits);
        if (!o.json)
            write_out(t.text);
        printed += t.text.size();
    };
    // SIGINT cancels the generation: it ends at the next group boundary, what it produced is
    // still printed. A SIGINT that came during the load is delivered now, cancelling at once.
    asio::cancellation_signal cancel;
    interrupt.async_wait([&cancel](std::error_code ec, int) {
        if (!ec)
            cancel.emit(asio::cancellation_type::terminal);
    });
    bool done = false;
    std::error_code ec;
    GenerateResult result;
    async_generate(session, std::move(request), on_token,
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::error_code e, GenerateResult r) {
                       ec = e;
                       result = std::move(r);
                       done = true;
                   }));
    run_until(io, done);
    interrupt.cancel();
    if (ec && ec != asio::error::operation_aborted)
        throw_failure(o, ec, result);
    if (!o.json && model.info().has_tokenizer)
        write_out(std::string_view(result.text).substr(std::min(printed, result.text.size()))); // the decoder's tail
    if (logits_file)
        logits_file->commit();
    return report(o, model, session, result);
}

int run(const RunOptions& o)
{
    asio::io_context io(1);
    // Set before anything is printed, so whoever sees output knows Ctrl-C is handled.
    asio::signal_set interrupt(io, SIGINT);
    Model model = load(io, o);
    if (o.verbose)
        fmt::print(stderr, "{}\n", model.explain_plan());
    int status = 0;
    std::exception_ptr error;
    try {
        status = o.parallel > 1 ? generate_together(o, io, interrupt, model) : generate(o, io, interrupt, model);
    } catch (...) {
        error = std::current_exception();
    }
    model = {}; // the engine shuts down on the io_context: run it until nothing is left
    interrupt.cancel();
    io.restart();
    io.run();
    if (error)
        std::rethrow_exception(error);
    return status;
}

} // namespace

int run_command(const std::vector<std::string>& args)
{
    const auto opts = run_options();
    po::variables_map vm;
    po::positional_options_description pos; // `run MODEL` as `run -m MODEL`, like chat and serve
    pos.add("model", 1);
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async run [-m MODEL] [-p TEXT | -f FILE | --prompt-ids IDS] [options]\n\n"
                     "Prints the prompt, then generates up to -n tokens after it and prints them as they\n"
                     "come (text, or ids for a model without a tokenizer). Stops early at the\n"
                     "end-of-sequence token or when the context is full. Without a prompt, generation\n"
                     "starts from BOS. Timings go to stderr; --json prints one object instead.\n"
                     "Ctrl-C stops at the next group boundary, still prints what was generated and\n"
                     "the report, and exits with status 130. Compute threads default to the CPUs this\n"
                     "process may use (-t).\n\n"
                     "Settings come from defaults, then the config file (-c, or $EDGE_RT_CONFIG), then\n"
                     "EDGE_RT_MODEL, EDGE_RT_MEMORY_BUDGET, EDGE_RT_STRATEGY, EDGE_RT_THREADS,\n"
                     "EDGE_RT_IO_BACKEND, EDGE_RT_CTX_SIZE, EDGE_RT_PREFETCH_DEPTH, EDGE_RT_MONITOR,\n"
                     "then the options below.\n\n"
                  << opts;
        return 0;
    }
    return run(to_options(vm));
}

} // namespace edge_rt::cli
