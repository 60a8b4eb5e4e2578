#include "options.hpp"

#include "byte_size.hpp"
#include "model_path.hpp"

#include "edge_rt/error.hpp"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

po::options_description describe()
{
    po::options_description o("serve options");
    o.add_options()
        ("help,h", "show this help")
        ("model,m", po::value<std::string>(), "the model (also positional; default: the bundled model)")
        ("host", po::value<std::string>()->default_value("127.0.0.1"), "address to listen on")
        ("port", po::value<unsigned>()->default_value(8080), "port (0: a free one, printed at start)")
        ("api-key-file", po::value<std::string>(), "require this key (first line of the file) as Bearer token")
        ("api-key-env", po::value<std::string>(), "require the key in this environment variable")
        ("max-sessions", po::value<std::size_t>()->default_value(4), "completions generating at once (429 beyond)")
        ("max-connections", po::value<std::size_t>()->default_value(64), "open connections (503 beyond)")
        ("max-body", po::value<std::string>()->default_value("1M"), "request body limit (413 beyond)")
        ("header-timeout-ms", po::value<unsigned>()->default_value(10000), "time a request may take to arrive (408)")
        ("idle-timeout-ms", po::value<unsigned>()->default_value(60000), "idle keep-alive connections close after")
        ("ctx-size,c", po::value<std::size_t>()->default_value(0), "context per session (0: min(model, 2048))")
        ("budget,b", po::value<std::string>(), "memory budget for the model and all sessions (e.g. 512M)")
        ("threads,t", po::value<unsigned>(), "compute threads (default: the CPUs this process may use)")
        ("chat-template", po::value<std::string>(), "a built-in chat template instead of the model's")
        ("model-id", po::value<std::string>(), "the model id clients see (default: the model's name)")
        ("quiet,q", "no per-request log lines on stderr");
    return o;
}

std::string read_key_file(const std::string& path)
{
    std::ifstream in(path);
    std::string key;
    if (!in || !std::getline(in, key))
        throw ConfigError(fmt::format("--api-key-file: cannot read a key from {}", path));
    while (!key.empty() && (key.back() == '\r' || key.back() == ' '))
        key.pop_back();
    if (key.empty())
        throw ConfigError(fmt::format("--api-key-file: {} has an empty first line", path));
    return key;
}

std::string read_key_env(const std::string& name)
{
    const char* v = std::getenv(name.c_str());
    if (!v || !*v)
        throw ConfigError(fmt::format("--api-key-env: the environment variable {} is not set or empty", name));
    return v;
}

} // namespace

std::string serve_usage()
{
    std::ostringstream s;
    s << "Usage: edge-rt-async serve [MODEL] [options]\n\nAn OpenAI-compatible HTTP service: POST "
         "/v1/chat/completions, /v1/completions; GET /v1/models, /health, /metrics.\n\n"
      << describe() << '\n';
    return s.str();
}

ServeOptions parse_serve_options(const std::vector<std::string>& args)
{
    po::options_description all = describe();
    po::positional_options_description pos;
    pos.add("model", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
    ServeOptions o;
    o.help = vm.count("help") > 0;
    o.model = vm.count("model") ? vm["model"].as<std::string>() : default_model_path().string();
    if (vm.count("api-key-file") && vm.count("api-key-env"))
        throw ConfigError("--api-key-file and --api-key-env: give one");
    auto& s = o.server;
    s.host = vm["host"].as<std::string>();
    const unsigned port = vm["port"].as<unsigned>();
    if (port > 65535)
        throw ConfigError(fmt::format("--port: {} is not a port (0-65535)", port));
    s.port = static_cast<unsigned short>(port);
    if (vm.count("api-key-file"))
        s.api_key = read_key_file(vm["api-key-file"].as<std::string>());
    if (vm.count("api-key-env"))
        s.api_key = read_key_env(vm["api-key-env"].as<std::string>());
    s.max_sessions = vm["max-sessions"].as<std::size_t>();
    if (s.max_sessions == 0 || s.max_sessions > 1024)
        throw ConfigError(fmt::format("--max-sessions: {} is not between 1 and 1024", s.max_sessions));
    s.max_connections = vm["max-connections"].as<std::size_t>();
    s.max_body_bytes = parse_bytes(vm["max-body"].as<std::string>(), "--max-body");
    s.header_timeout_ms = vm["header-timeout-ms"].as<unsigned>();
    s.idle_timeout_ms = vm["idle-timeout-ms"].as<unsigned>();
    s.ctx_size = vm["ctx-size"].as<std::size_t>();
    s.model_path = o.model;
    if (vm.count("chat-template"))
        s.chat_template = vm["chat-template"].as<std::string>();
    if (vm.count("model-id"))
        s.model_id = vm["model-id"].as<std::string>();
    o.runtime.ctx_size = s.ctx_size;
    o.runtime.sessions = s.max_sessions; // the budget holds every session that may generate at once
    o.runtime.threads = vm.count("threads") ? vm["threads"].as<unsigned>() : default_threads();
    if (o.runtime.threads == 0)
        throw ConfigError("--threads: must be at least 1");
    if (vm.count("budget"))
        o.runtime.budget_bytes = parse_bytes(vm["budget"].as<std::string>(), "--budget");
    o.runtime.monitor.enabled = true; // throttle under memory pressure and heat, as run does
    o.quiet = vm.count("quiet") > 0;
    return o;
}

} // namespace edge_rt::cli
