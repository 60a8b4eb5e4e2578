// `quantize IN OUT --type T`: an F32/F16/BF16 GGUF model or Hugging Face SafeTensors folder to
// a quantised GGUF, with llama.cpp's per-tensor recipe; progress on stderr, the error per type
// at the end (or as JSON).
#include "commands.hpp"
#include "progress.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/quantize.hpp"

#include <boost/program_options.hpp>
#include <csignal>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
constexpr int kExitInterrupted = 128 + SIGINT;

extern "C" void on_interrupt(int) { g_interrupted = 1; }

po::options_description quantize_options()
{
    po::options_description opts("quantize options");
    opts.add_options()
        ("help,h", "show this help")
        ("type", po::value<std::string>(), "q8_0, q4_0, q2_k, q3_k_m, q4_k_m, q5_k_m or q6_k (llama.cpp's recipes; docs/quantize.md)")
        ("threads,t", po::value<unsigned>()->default_value(0), "threads quantising rows (0: every CPU we may use)")
        ("json", "print the result as one JSON object on stdout")
        ("quiet,q", "no progress on stderr")
        ("in", po::value<std::string>(), "the F32/F16/BF16 GGUF model or Hugging Face folder to read")
        ("out", po::value<std::string>(), "the GGUF file to write");
    return opts;
}

nlohmann::json to_json(const QuantizeOptions& o, const QuantizeResult& r)
{
    nlohmann::json tensors = nlohmann::json::array(), types = nlohmann::json::array();
    for (const auto& t : r.tensors)
        tensors.push_back({{"name", t.name}, {"source_type", t.source_type}, {"type", t.type},
                           {"elements", t.elements}, {"rmse", t.rmse}});
    for (const auto& t : r.per_type)
        types.push_back({{"type", t.type}, {"tensors", t.tensors}, {"elements", t.elements}, {"rmse", t.rmse},
                         {"relative_rmse", t.relative}});
    return {{"input", o.input.string()}, {"output", o.output.string()}, {"type", o.type},
            {"input_bytes", r.input_bytes}, {"output_bytes", r.output_bytes}, {"seconds", r.seconds},
            {"peak_buffer_bytes", r.peak_buffer_bytes}, {"per_type", types}, {"tensors", tensors}};
}

void print_report(const QuantizeOptions& o, const QuantizeResult& r)
{
    fmt::print("wrote {} ({}, {} tensors, {:.2f} MiB from {:.2f} MiB) in {:.2f} s\n", o.output.string(), o.type,
               r.tensors.size(), static_cast<double>(r.output_bytes) / (1 << 20),
               static_cast<double>(r.input_bytes) / (1 << 20), r.seconds);
    fmt::print("{:<8} {:>7} {:>12} {:>12} {:>10}\n", "type", "tensors", "elements", "RMSE", "rel. RMSE");
    for (const auto& t : r.per_type)
        fmt::print("{:<8} {:>7} {:>12} {:>12.4g} {:>9.3f}%\n", t.type, t.tensors, t.elements, t.rmse, 100 * t.relative);
}

} // namespace

int quantize_command(const std::vector<std::string>& args)
{
    const auto opts = quantize_options();
    po::positional_options_description pos;
    pos.add("in", 1).add("out", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async quantize IN OUT --type T [-t N] [--json] [--quiet]\n\n" << opts
                  << fmt::format("\nTypes: {}\n", fmt::join(quantize_types(), ", "));
        return 0;
    }
    if (!vm.count("in") || !vm.count("out"))
        throw ConfigError("quantize needs IN and OUT (edge-rt-async quantize IN OUT --type T)");
    if (!vm.count("type"))
        throw ConfigError(fmt::format("--type is required ({})", fmt::join(quantize_types(), ", ")));
    QuantizeOptions o;
    o.input = vm["in"].as<std::string>();
    o.output = vm["out"].as<std::string>();
    o.type = vm["type"].as<std::string>();
    o.threads = vm["threads"].as<unsigned>();
    const bool json = vm.count("json") > 0;
    QuantizeProgressBar bar(!vm.count("quiet"));
    o.progress = [&bar](const QuantizeProgress& p) {
        bar.update(p);
        return g_interrupted == 0;
    };
    struct sigaction sa{}, old_int{}, old_term{};
    sa.sa_handler = on_interrupt;
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
    QuantizeResult r;
    try {
        r = quantize_model(o);
    } catch (const Error& e) {
        bar.finish();
        ::sigaction(SIGINT, &old_int, nullptr);
        ::sigaction(SIGTERM, &old_term, nullptr);
        if (g_interrupted) {
            fmt::print(stderr, "edge-rt-async: {}: interrupted; nothing written\n", o.output.string());
            return kExitInterrupted;
        }
        throw;
    }
    bar.finish();
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    if (json)
        std::cout << to_json(o, r).dump() << '\n';
    else
        print_report(o, r);
    return 0;
}

} // namespace edge_rt::cli
