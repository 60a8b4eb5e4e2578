// One benchmark repetition in a child process: the CLI re-executed as `run --json`, so peak RSS,
// page-cache effects and crashes belong to that run alone.
#pragma once

#include <string>
#include <vector>

namespace edge_rt::cli {

struct ChildResult {
    int exit_code = -1;      // 128 + signal number when a signal ended it
    std::string out;
    std::string err;
    double wall_ms = 0;      // from spawn to exit, as the parent saw it
    double peak_rss_bytes = 0; // the child's own peak (wait4's ru_maxrss)
};

/// The path of the running CLI (/proc/self/exe), for re-executing it.
std::string self_executable();

/// Runs `argv` (argv[0] = program) with stdin from /dev/null and both outputs captured. When
/// EDGE_RT_EXEC_WRAPPER is set (e.g. "qemu-aarch64 -L /sysroot" for an emulated build), its
/// words are put in front unless `wrapped` is false (for host tools such as gnuplot): an
/// emulated process cannot exec a foreign binary on its own.
ChildResult run_child(const std::vector<std::string>& argv, bool wrapped = true);

/// "exit code 2", "killed by signal 11 (Segmentation fault)".
std::string describe_exit(int exit_code);

} // namespace edge_rt::cli
