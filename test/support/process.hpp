// Runs a program as a child process and captures its exit status, stdout and stderr.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace edge_rt::test {

struct ProcessResult {
    int exit_code = -1; // 128 + signal number when killed by a signal
    int killed_by = 0;  // the signal that ended the process, 0 when it exited
    std::string out;
    std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = {});

/// As run_process, and sends `signal` to the child once `ready` (called with the output so far
/// after every read) first returns true.
ProcessResult run_process_signalled(const std::vector<std::string>& argv, int signal,
                                    const std::function<bool(const ProcessResult&)>& ready,
                                    const std::string& stdin_text = {});

/// Runs the built edge-rt-async CLI, under $MESON_EXE_WRAPPER (the cross build's emulator) if set.
ProcessResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = {});
/// run_cli with run_process_signalled's signal.
ProcessResult run_cli_signalled(const std::vector<std::string>& args, int signal,
                                const std::function<bool(const ProcessResult&)>& ready,
                                const std::string& stdin_text = {});

} // namespace edge_rt::test
