// `run`: generate text from a prompt. Tokens stream to stdout as they are sampled; a timing
// summary goes to stderr at the end, or with --json one object with ids, text and metrics.
#include "commands.hpp"
#include "model_path.hpp"

#include "edge_rt/error.hpp"
#include "model/tokenizer/tokenizer.hpp"
#include "monitor/monitor.hpp"
#include "runtime/generate.hpp"
#include "run_metrics.hpp"
#include "settings.hpp"

#include <asio/signal_set.hpp>

#include <boost/program_options.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
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
    runtime::SamplerConfig sampler;
    std::optional<std::string> prompt_text;
    std::optional<std::string> prompt_ids;
    std::size_t max_tokens = 128;
    bool verbose = false;
    bool json = false;
    bool no_bos = false;
    bool ignore_eos = false; // benchmarks: always generate -n tokens
    std::optional<std::filesystem::path> tokenizer; // overrides the model's own
    std::optional<std::filesystem::path> logits_out;
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
        ("ignore-eos", "do not stop at the end-of-sequence token: generate all -n tokens")
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

std::string read_prompt_file(const std::string& path)
{
    if (path == "-")
        return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(fmt::format("{}: cannot open prompt file: {}", path, std::strerror(errno)));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RunOptions to_options(const po::variables_map& vm)
{
    RunOptions o;
    o.settings = resolve_settings(vm);
    o.model = o.settings.model ? *o.settings.model : default_model_path();
    o.sampler = sampler_config(o.settings, std::random_device{}());
    const int sources = static_cast<int>(vm.count("prompt") + vm.count("file") + vm.count("prompt-ids"));
    if (sources > 1)
        throw ConfigError("give one of -p/--prompt, -f/--file and --prompt-ids");
    if (vm.count("prompt"))
        o.prompt_text = vm["prompt"].as<std::string>();
    if (vm.count("file"))
        o.prompt_text = read_prompt_file(vm["file"].as<std::string>());
    if (vm.count("prompt-ids"))
        o.prompt_ids = vm["prompt-ids"].as<std::string>();
    o.max_tokens = vm["max-tokens"].as<std::size_t>();
    o.verbose = vm.count("verbose") > 0;
    o.json = vm.count("json") > 0;
    o.no_bos = vm.count("no-bos") > 0;
    o.ignore_eos = vm.count("ignore-eos") > 0;
    if (vm.count("tokenizer"))
        o.tokenizer = vm["tokenizer"].as<std::string>();
    if (vm.count("logits-out"))
        o.logits_out = vm["logits-out"].as<std::string>();
    return o;
}

/// The model's tokenizer: inside a GGUF file, or beside the weights of a SafeTensors folder.
/// A model without one still runs from --prompt-ids (and prints ids); `why` says what failed.
std::unique_ptr<model::Tokenizer> model_tokenizer(const model::ModelSource& src, std::string& why)
{
    try {
        return model::model_tokenizer(src.gguf, src.path);
    } catch (const Error& e) {
        why = e.what();
        return nullptr;
    }
}

std::vector<std::int32_t> prompt_tokens(const RunOptions& o, const runtime::Engine& engine,
                                        const model::Tokenizer* tokenizer, const std::string& why)
{
    const auto& c = engine.config();
    std::vector<std::int32_t> ids;
    const auto& gguf = engine.source().gguf;
    std::optional<std::int32_t> bos =
        tokenizer ? tokenizer->bos() : model::special_token_id(gguf, "tokenizer.ggml.bos_token_id");
    if (o.prompt_ids) {
        ids = parse_ids(*o.prompt_ids);
        for (const auto id : ids)
            if (static_cast<std::uint32_t>(id) >= c.n_vocab)
                throw ConfigError(fmt::format("--prompt-ids: token id {} is outside the vocabulary of {} tokens",
                                              id, c.n_vocab));
        return ids;
    }
    if (o.prompt_text && !tokenizer)
        throw ConfigError(fmt::format("text prompts need a tokenizer, and this model has none ({}); "
                                      "give token ids with --prompt-ids", why));
    if (o.prompt_text && !o.prompt_text->empty())
        ids = tokenizer->encode(*o.prompt_text, tokenizer->add_bos_by_default() && !o.no_bos);
    else if (bos && !o.no_bos)
        ids = {*bos}; // no prompt: start from BOS alone
    if (ids.empty())
        throw ConfigError("no prompt: give -p, -f or --prompt-ids (this model has no BOS token to start from)");
    for (const auto id : ids)
        if (static_cast<std::uint32_t>(id) >= c.n_vocab)
            throw ConfigError(fmt::format("the prompt's token id {} is outside the model's vocabulary of {} tokens",
                                          id, c.n_vocab));
    return ids;
}

/// Streams generated tokens to stdout as text (ids when there is no tokenizer) and keeps the
/// text for --json. The prompt primes the decoder so the first piece is spaced correctly, and
/// is echoed first (as llama.cpp does) so the output reads as one text.
class TokenPrinter {
public:
    TokenPrinter(const model::Tokenizer* tokenizer, std::span<const std::int32_t> prompt, bool echo)
        : echo_(echo)
    {
        if (tokenizer) {
            decoder_.emplace(*tokenizer);
            for (const auto id : prompt)
                write(decoder_->push(id));
        }
    }
    void push(std::int32_t id) { emit(decoder_ ? decoder_->push(id) : fmt::format("{} ", id)); }
    void finish() { emit(decoder_ ? decoder_->flush() : std::string()); }
    const std::string& text() const { return text_; }

private:
    void emit(const std::string& piece)
    {
        if (decoder_)
            text_ += piece;
        write(piece);
    }
    void write(const std::string& piece) const
    {
        if (echo_ && !piece.empty()) {
            std::fwrite(piece.data(), 1, piece.size(), stdout);
            std::fflush(stdout);
        }
    }
    std::optional<model::StreamingDecoder> decoder_;
    std::string text_;
    bool echo_;
};

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

/// The monitor for `run`: samples the machine on the engine's io_context; the generation loop
/// applies its limits at token boundaries, and each change is logged as one line.
std::unique_ptr<monitor::Monitor> start_monitor(runtime::Engine& engine, const MonitorSettings& m)
{
    if (!m.enabled)
        return nullptr;
    const monitor::Limits max{std::max(engine.plan().slots, 1u), engine.options().threads};
    auto mon = std::make_unique<monitor::Monitor>(engine.executor().io(), monitor::Sampler("/"),
                                                  monitor::Policy(max, m.policy), m.interval,
                                                  [](const std::string& line) { fmt::print(stderr, "{}\n", line); });
    mon->start();
    return mon;
}

/// How generation ended (stderr), then the JSON object or the timing summary; the exit status.
int report(const RunOptions& o, const runtime::Engine& engine, const runtime::Session& session,
           std::span<const std::int32_t> prompt, const runtime::GenerateResult& result, const std::string& text)
{
    if (result.stop == runtime::StopReason::Cancelled)
        fmt::print(stderr, "{}edge-rt-async: interrupted after {} tokens\n", o.json ? "" : "\n", result.generated.size());
    if (result.stop == runtime::StopReason::ContextFull)
        fmt::print(stderr, "{}edge-rt-async: stopped after {} tokens: the context of {} tokens is full (--ctx-size)\n",
                   o.json ? "" : "\n", result.generated.size(), session.n_ctx());
    if (o.json) {
        const nlohmann::ordered_json out = {
            {"model", o.model.string()},
            {"prompt_ids", std::vector<std::int32_t>(prompt.begin(), prompt.end())},
            {"generated_ids", result.generated},
            {"text", text},
            {"metrics", metrics_json(engine, session, result, {o.sampler.seed, static_cast<int>(o.settings.threads)})},
        };
        fmt::print("{}\n", out.dump());
    } else {
        fmt::print("\n");
        std::fflush(stdout);
        print_summary(engine, result);
    }
    return result.stop == runtime::StopReason::Cancelled ? kExitInterrupted : 0;
}

int run(const RunOptions& o)
{
    runtime::Engine engine(o.model, engine_options(o.settings));
    // SIGINT ends generation at the next group boundary; what was produced is still printed.
    // Set before anything is printed, so whoever sees output knows Ctrl-C is handled.
    asio::signal_set interrupt(engine.executor().io(), SIGINT);
    interrupt.async_wait([&engine](std::error_code ec, int) {
        if (!ec)
            engine.request_stop();
    });
    if (o.verbose)
    {
        auto request = engine.plan_request(); // without -b, explain the budget that holds the model
        request.budget = engine.budget_bytes();
        fmt::print(stderr, "{}\n", engine.plan().explain(request));
    }
    std::string why;
    // An explicit --tokenizer must load (its errors are the user's to see); the model's own is optional.
    const auto tokenizer = o.tokenizer ? model::load_tokenizer(*o.tokenizer) : model_tokenizer(engine.source(), why);
    runtime::Session session(engine, {.n_ctx = o.settings.ctx_size});
    const auto prompt = prompt_tokens(o, engine, tokenizer.get(), why);
    if (prompt.size() > session.n_ctx())
        throw ConfigError(fmt::format("the prompt has {} tokens, more than the context of {} (--ctx-size)",
                                      prompt.size(), session.n_ctx()));
    runtime::GenerateOptions gen;
    gen.max_tokens = o.max_tokens;
    gen.sampler = o.sampler;
    if (!o.ignore_eos)
        gen.eos = tokenizer ? tokenizer->eos()
                            : model::special_token_id(engine.source().gguf, "tokenizer.ggml.eos_token_id");
    const auto monitor = start_monitor(engine, o.settings.monitor);
    gen.monitor = monitor.get();

    std::optional<LogitsFile> logits_file;
    if (o.logits_out)
        logits_file.emplace(*o.logits_out);
    TokenPrinter printer(tokenizer.get(), prompt, !o.json);
    const auto result = runtime::generate(session, prompt, gen, [&](std::int32_t id, std::span<const float> logits) {
        if (logits_file)
            logits_file->write(logits);
        printer.push(id);
    });
    printer.finish();
    if (logits_file)
        logits_file->commit();
    interrupt.cancel();
    if (monitor)
        monitor->stop();
    return report(o, engine, session, prompt, result, printer.text());
}

} // namespace

int run_command(const std::vector<std::string>& args)
{
    const auto opts = run_options();
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async run [-m MODEL] [-p TEXT | -f FILE | --prompt-ids IDS] [options]\n\n"
                     "Prints the prompt, then generates up to -n tokens after it and prints them as they\n"
                     "come (text, or ids for a model without a tokenizer). Stops early at the\n"
                     "end-of-sequence token or when the context is full. Without a prompt, generation\n"
                     "starts from BOS. Timings go to stderr; --json prints one object instead.\n"
                     "Ctrl-C stops at the next group boundary, still prints what was generated and\n"
                     "the report, and exits with status 130.\n\n"
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
