// `inspect`: a model's structure, its minimum budget and the plans a sweep of budgets gives
// each strategy, read from headers only (nothing is loaded or run).
#include "byte_size.hpp"
#include "commands.hpp"
#include "inspect/report.hpp"
#include "model_path.hpp"

#include "edge_rt/config.hpp"
#include "edge_rt/error.hpp"

#include <boost/program_options.hpp>
#include <cmath>
#include <fmt/format.h>
#include <iostream>
#include <sstream>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

constexpr const char* kJsonKeys = R"(JSON (--json): one object with
  model {path, format, architecture, name}, hyper_parameters {n_vocab, n_embd, n_layer, n_head,
  n_head_kv, head_dim, n_ff, n_ctx_train, n_rot, rope_freq_base, norm_eps, tied_output},
  tokenizer {kind, vocab_size (null without one), note?}, groups [{name, tensors, weight_bytes,
  slot_bytes, bytes_by_type}], tensor_count, total_weight_bytes, kv_bytes_per_token, n_ctx,
  fixed_bytes, minimum_budget, resident_budget, cost_model {assumed, read_gbps, compute_gbps,
  per_read_ms}, budgets [bytes], plans [{budget, strategy, feasible, and either needs (the
  minimum) or planned_strategy, groups, resident_groups, streamed_groups, slots, slot_bytes,
  resident_bytes, streamed_bytes, on_demand_groups (read a row at a time), on_demand_bytes,
  predicted_peak, bytes_read_per_token, overlaps, predicted_ms_per_token,
  predicted_tokens_per_s}]. Sizes are bytes; resident + streamed + on-demand bytes add up to
  the groups' slot bytes.
)";

std::vector<std::string> split_commas(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        out.push_back(item);
    if (!text.empty() && text.back() == ',')
        out.emplace_back();
    return out;
}

double positive(const po::variables_map& vm, const char* flag)
{
    const double v = vm[flag].as<double>();
    if (!(v > 0) || !std::isfinite(v))
        throw ConfigError(fmt::format("--{}: {} is not a positive speed", flag, v));
    return v;
}

InspectOptions options_from(const po::variables_map& vm)
{
    InspectOptions o;
    o.model = vm.count("model") ? std::filesystem::path(vm["model"].as<std::string>()) : default_model_path();
    if (vm.count("budgets") && vm.count("sweep"))
        throw ConfigError("--budgets and --sweep exclude each other (--sweep is the default set of budgets)");
    if (vm.count("budgets"))
        for (const auto& b : split_commas(vm["budgets"].as<std::string>()))
            o.budgets.push_back(parse_bytes(b, "--budgets"));
    if (vm.count("strategy"))
        for (const auto& s : split_commas(vm["strategy"].as<std::string>()))
            o.strategies.push_back(parse_strategy(s));
    if (vm.count("ctx-size")) {
        const long long n = vm["ctx-size"].as<long long>();
        if (n < 1)
            throw ConfigError(fmt::format("--ctx-size: {} is not a context length (at least 1)", n));
        o.n_ctx = static_cast<std::size_t>(n);
    }
    o.cost.read_bytes_per_s = positive(vm, "read-gbps") * 1e9;
    o.cost.compute_bytes_per_s = positive(vm, "compute-gbps") * 1e9;
    return o;
}

} // namespace

int inspect_command(const std::vector<std::string>& args)
{
    const CostModel defaults;
    po::options_description opts("inspect options");
    opts.add_options()
        ("help,h", "show this help")
        ("model,m", po::value<std::string>(), "GGUF file or SafeTensors folder (default: the bundled model)")
        ("budgets,b", po::value<std::string>(), "budgets to plan for, e.g. 256M,512M,1G")
        ("sweep", "plan for the default budgets: the minimum, the fully resident budget and 1/4, 1/2, 3/4 of the way between")
        ("strategy,s", po::value<std::string>(),
         "strategies, comma separated: sequential, greedy-grouping, speculative-prefetch, auto (default: all)")
        ("ctx-size", po::value<long long>(), "context the KV cache is planned for (default: min(trained, 2048))")
        ("read-gbps", po::value<double>()->default_value(defaults.read_bytes_per_s / 1e9),
         "ASSUMED storage read speed for the predictions, GB/s")
        ("compute-gbps", po::value<double>()->default_value(defaults.compute_bytes_per_s / 1e9),
         "ASSUMED weight bytes the kernels consume per second when decoding, GB/s")
        ("json", "print one JSON document instead of text");
    po::variables_map vm;
    po::positional_options_description pos; // `run MODEL` as `run -m MODEL`, like chat and serve
    pos.add("model", 1);
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async inspect [-m MODEL] [--budgets 256M,512M,1G | --sweep] "
                     "[-s STRATEGY,...] [--ctx-size N] [--json]\n\n"
                     "Prints the model's structure, the minimum memory budget, and for each budget and\n"
                     "strategy the plan: groups resident/streamed, bytes, predicted peak, bytes read per\n"
                     "token and predicted decode speed. Predictions come from the planner's cost model\n"
                     "with the ASSUMED speeds below: measure yours (bench, status --probe-io).\n\n"
                  << opts << '\n' << kJsonKeys;
        return 0;
    }
    const auto report = inspect_model(options_from(vm));
    if (vm.count("json"))
        std::cout << report_json(report) << '\n';
    else
        print_report(report);
    return 0;
}

} // namespace edge_rt::cli
