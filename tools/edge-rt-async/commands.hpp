// The CLI's subcommands. Each takes the arguments after its name and returns the exit code.
#pragma once

#include <string>
#include <vector>

namespace edge_rt::cli {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args);
};

int bench_command(const std::vector<std::string>& args);
int chat_command(const std::vector<std::string>& args);
int gen_model_command(const std::vector<std::string>& args);
int inspect_command(const std::vector<std::string>& args);
int quantize_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
int tokenize_command(const std::vector<std::string>& args);

/// Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

} // namespace edge_rt::cli
