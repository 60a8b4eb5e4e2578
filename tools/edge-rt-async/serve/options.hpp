// `serve`'s command line: the model, how it runs, and the server's address and limits.
#pragma once

#include "edge_rt/config.hpp"
#include "edge_rt/server.hpp"

#include <string>
#include <vector>

namespace edge_rt::cli {

struct ServeOptions {
    std::string model;
    RuntimeConfig runtime;
    ServerConfig server;
    bool quiet = false; // no per-request log lines
    bool help = false;
};

/// Parses `serve`'s arguments. Throws boost::program_options errors and ConfigError naming the
/// option at fault (an API key file that cannot be read, an empty key variable, …).
ServeOptions parse_serve_options(const std::vector<std::string>& args);

/// The options' help text.
std::string serve_usage();

} // namespace edge_rt::cli
