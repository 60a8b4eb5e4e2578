// `gen-model`: write a synthetic model of a known size with deterministic pseudo-random weights.
#include "commands.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/model_writer.hpp"

#include <boost/program_options.hpp>
#include <chrono>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

po::options_description gen_model_options()
{
    po::options_description opts("gen-model options");
    opts.add_options()
        ("help,h", "show this help")
        ("preset", po::value<std::string>(), "model shape (see below)")
        ("type", po::value<std::string>()->default_value("f32"), "matrix type: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, q2_k, q3_k, q4_k, q5_k, q6_k (vectors stay f32; rows not whole blocks too; for llama.cpp's *_M mixes write f32 and run quantize)")
        ("format", po::value<std::string>()->default_value("gguf"), "gguf (one file) or safetensors (a folder with config.json)")
        ("layers", po::value<std::uint32_t>(), "keep only the first N layers")
        ("vocab-from", po::value<std::string>(), "copy the vocabulary of a GGUF model or of GPT-2 tokenizer files/folder")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the weights (same seed and options: same bytes)")
        ("output,o", po::value<std::string>(), "the GGUF file or SafeTensors folder to write");
    return opts;
}

SyntheticModelOptions to_options(const po::variables_map& vm)
{
    SyntheticModelOptions o;
    if (!vm.count("preset"))
        throw ConfigError(fmt::format("--preset is required ({})", fmt::join(synthetic_model_presets(), ", ")));
    if (!vm.count("output"))
        throw ConfigError("-o/--output is required");
    o.preset = vm["preset"].as<std::string>();
    o.weight_type = vm["type"].as<std::string>();
    o.format = vm["format"].as<std::string>();
    if (vm.count("layers"))
        o.layers = vm["layers"].as<std::uint32_t>();
    if (vm.count("vocab-from"))
        o.vocab_from = vm["vocab-from"].as<std::string>();
    o.seed = vm["seed"].as<std::uint64_t>();
    o.output = vm["output"].as<std::string>();
    return o;
}

} // namespace

int gen_model_command(const std::vector<std::string>& args)
{
    const auto opts = gen_model_options();
    po::variables_map vm;
    const po::positional_options_description none; // a stray word is an error, not ignored
    po::store(po::command_line_parser(args).options(opts).positional(none).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async gen-model --preset NAME [--type T] [--format F] [--layers N]\n"
                     "                               [--vocab-from MODEL_OR_TOKENIZER] [--seed N] -o PATH\n\n"
                  << opts << fmt::format("\nPresets: {}\n", fmt::join(synthetic_model_presets(), ", "));
        return 0;
    }
    const auto options = to_options(vm);
    const auto start = std::chrono::steady_clock::now();
    const auto written = write_synthetic_model(options);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("wrote {} ({}, {} {}, {} layers, n_embd {}, vocab {}, {} tensors, {:.1f} MiB of weights) in {:.2f} s\n",
               options.output.string(), options.format == "gguf" ? "GGUF v3" : "SafeTensors", options.preset,
               written.weight_type, written.n_layer, written.n_embd, written.n_vocab, written.tensors,
               static_cast<double>(written.weight_bytes) / (1 << 20), secs);
    fmt::print("vocabulary: {}\n", written.vocabulary);
    return 0;
}

} // namespace edge_rt::cli
