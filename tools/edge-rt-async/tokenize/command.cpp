// `tokenize`: text -> token ids with the tokenizer of a model, or with a tokenizer on its own.
#include "commands.hpp"
#include "model_path.hpp"

#include "edge_rt/error.hpp"
#include "edge_rt/tokenizer.hpp"

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

constexpr const char* kUsage = "Usage: edge-rt-async tokenize [-m MODEL | --tokenizer PATH] [--no-bos] [--json] "
                               "(TEXT | -p TEXT | -f FILE | -f -)\n\n";

// The text exactly as given: a file's bytes, or stdin's for "-", trailing newline included.
std::string read_text(const std::string& source)
{
    if (source == "-")
        return std::string(std::istreambuf_iterator<char>(std::cin), {});
    std::ifstream in(source, std::ios::binary);
    if (!in)
        throw IoError(fmt::format("{}: cannot open: {}", source, std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void print_json(const Tokenizer& tokenizer, const std::vector<std::int32_t>& ids)
{
    nlohmann::json out = {{"ids", ids}, {"pieces", nlohmann::json::array()}};
    for (const auto id : ids)
        out["pieces"].push_back(tokenizer.piece(id));
    // Pieces are arbitrary bytes in principle: never let invalid UTF-8 abort the output.
    fmt::print("{}\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace

int tokenize_command(const std::vector<std::string>& args)
{
    po::options_description opts("tokenize options");
    opts.add_options()
        ("help,h", "show this help")
        ("model,m", po::value<std::string>(), "model whose tokenizer to use (default: the bundled model)")
        ("tokenizer", po::value<std::string>(),
         "a tokenizer alone: GGUF (vocab-only too), tokenizer.json, llama2.c tokenizer.bin, or a folder "
         "with vocab.json + merges.txt or encoder.json + vocab.bpe")
        ("prompt,p", po::value<std::string>(), "the text (also as the positional TEXT; -p works for text "
                                                "that starts with '-')")
        ("file,f", po::value<std::string>(), "read the text from FILE ('-': stdin), byte for byte")
        ("no-bos", "do not add the BOS token (added by default when the tokenizer says so)")
        ("json", "print {\"ids\": [...], \"pieces\": [...]} instead of plain ids");
    po::options_description hidden;
    hidden.add_options()("text", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("text", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << kUsage << opts << '\n';
        return 0;
    }
    auto texts = vm.count("text") ? vm["text"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (vm.count("prompt"))
        texts.push_back(vm["prompt"].as<std::string>());
    if (vm.count("model") && vm.count("tokenizer"))
        throw ConfigError("tokenize: give -m MODEL or --tokenizer PATH, not both");
    if (texts.size() + vm.count("file") != 1)
        throw ConfigError("tokenize: give the text once: as one argument (quote it), -p TEXT, or -f FILE / -f -");

    // -m names a model (a GGUF carries its tokenizer, SafeTensors have theirs beside them).
    const auto tokenizer = vm.count("tokenizer")
                               ? Tokenizer::load(vm["tokenizer"].as<std::string>())
                               : Tokenizer::for_model(vm.count("model") ? std::filesystem::path(vm["model"].as<std::string>())
                                                                        : default_model_path());
    const std::string text = vm.count("file") ? read_text(vm["file"].as<std::string>()) : texts.front();
    const auto ids = tokenizer.encode(text, tokenizer.add_bos_by_default() && !vm.count("no-bos"));
    if (vm.count("json"))
        print_json(tokenizer, ids);
    else
        fmt::print("{}\n", fmt::join(ids, " "));
    return 0;
}

} // namespace edge_rt::cli
