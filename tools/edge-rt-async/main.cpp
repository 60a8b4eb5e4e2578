// edge-rt-async: global options, then a subcommand with options of its own.
#include "commands.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/version.hpp"

#include <array>
#include <boost/program_options.hpp>
#include <cstring>
#include <fmt/format.h>
#include <iostream>

namespace po = boost::program_options;
using namespace edge_rt::cli;

namespace {

constexpr std::array kCommands{
    Command{"run", "generate text from a prompt (streams tokens; --json for ids, text and metrics)",
            run_command},
    Command{"chat", "talk with an instruct model: its chat template, history in the KV cache, /reset, /exit",
            chat_command},
    Command{"serve", "an OpenAI-compatible HTTP service (chat and text completions, models, health, metrics)",
            serve_command},
    Command{"bench", "sweep budgets, strategies, threads and I/O backends; medians of repeated runs",
            bench_command},
    Command{"inspect", "show a model's structure: architecture, layers, weight bytes, dtypes",
            inspect_command},
    Command{"tokenize", "turn text into token ids with a model's tokenizer (or a tokenizer file)",
            tokenize_command},
    Command{"status", "check the machine: thermal, memory, CPU, storage speed; recommend a budget and strategy",
            status_command},
    Command{"gen-model", "write a synthetic model (preset shapes, deterministic random weights)",
            gen_model_command},
    Command{"quantize", "quantise an F32/F16/BF16 GGUF model (llama.cpp's recipes: q8_0, q4_k_m, ...)",
            quantize_command},
};

void print_help(const po::options_description& global)
{
    fmt::print("edge-rt-async {}: run transformer language models under a strict memory budget,\n"
               "streaming the weights that do not fit.\n\n"
               "Usage: edge-rt-async [--version] [--help] <command> [options]\n\nCommands:\n",
               edge_rt::version());
    for (const auto& c : kCommands)
        fmt::print("  {:<10} {}\n", c.name, c.summary);
    std::cout << '\n' << global << "\n'edge-rt-async <command> --help' lists a command's options.\n";
}

int dispatch(int argc, char** argv)
{
    po::options_description global("Global options");
    global.add_options()
        ("help,h", "show this help")
        ("version,V", "print the version and build information");
    po::options_description all;
    all.add(global).add_options()
        ("command", po::value<std::string>())
        ("args", po::value<std::vector<std::string>>());
    po::positional_options_description pos;
    pos.add("command", 1).add("args", -1);

    po::variables_map vm;
    auto parsed = po::command_line_parser(argc, argv).options(all).positional(pos)
                      .allow_unregistered().run();
    po::store(parsed, vm);
    po::notify(vm);

    if (vm.count("version")) {
        fmt::print("edge-rt-async {}\n{}\n", edge_rt::version(), edge_rt::build_info());
        return 0;
    }
    if (!vm.count("command")) {
        print_help(global);
        return vm.count("help") ? 0 : kExitUsage;
    }
    const auto name = vm["command"].as<std::string>();
    // Everything after the command name belongs to the command, options included.
    std::vector<std::string> rest = po::collect_unrecognized(parsed.options, po::include_positional);
    rest.erase(rest.begin());
    if (vm.count("help"))
        rest.insert(rest.begin(), "--help");
    for (const auto& c : kCommands)
        if (name == c.name)
            return c.run(rest);
    fmt::print(stderr, "edge-rt-async: unknown command '{}' (see edge-rt-async --help)\n", name);
    return kExitUsage;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return dispatch(argc, argv);
    } catch (const po::error& e) {
        fmt::print(stderr, "edge-rt-async: {}\n", e.what());
        return kExitUsage;
    } catch (const edge_rt::ConfigError& e) {
        fmt::print(stderr, "edge-rt-async: {}\n", e.what());
        return kExitUsage;
    } catch (const std::exception& e) {
        fmt::print(stderr, "edge-rt-async: {}\n", e.what());
        return kExitFailure;
    }
}
