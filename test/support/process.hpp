// Runs a program as a child process and captures its exit status, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace edge_rt::test {

struct ProcessResult {
    int exit_code = -1; // 128 + signal number when killed by a signal
    std::string out;
    std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = {});

/// Runs the built edge-rt-async CLI, under $MESON_EXE_WRAPPER (the cross build's emulator) if set.
ProcessResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = {});

} // namespace edge_rt::test
