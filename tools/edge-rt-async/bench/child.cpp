#include "bench/child.hpp"

#include "edge_rt/error.hpp"

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace edge_rt::cli {
namespace {

std::vector<std::string> with_wrapper(const std::vector<std::string>& argv)
{
    std::vector<std::string> full;
    if (const char* w = std::getenv("EDGE_RT_EXEC_WRAPPER")) {
        std::istringstream words(w);
        for (std::string word; words >> word;)
            full.push_back(word);
    }
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
}

[[noreturn]] void exec_in_child(const std::vector<std::string>& argv, int out_fd, int err_fd)
{
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    const std::string msg = fmt::format("edge-rt-async: cannot run {}: {}\n", argv[0], std::strerror(errno));
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
}

// Reads both pipes until both close; poll so a child filling one pipe cannot deadlock us.
void drain(int out_fd, int err_fd, std::string& out, std::string& err)
{
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&out, &err};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            throw IoError(fmt::format("bench: waiting for a child's output failed: {}", std::strerror(errno)));
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            const auto n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
}

} // namespace

std::string self_executable()
{
    char buf[PATH_MAX];
    const auto n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        throw IoError(fmt::format("/proc/self/exe: cannot find the running program: {}", std::strerror(errno)));
    return std::string(buf, static_cast<std::size_t>(n));
}

ChildResult run_child(const std::vector<std::string>& argv, bool wrapped)
{
    const auto full = wrapped ? with_wrapper(argv) : argv;
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw IoError(fmt::format("bench: cannot create pipes: {}", std::strerror(errno)));
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw IoError(fmt::format("bench: cannot start a child process: {}", std::strerror(errno)));
    if (pid == 0)
        exec_in_child(full, out_pipe[1], err_pipe[1]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ChildResult r;
    drain(out_pipe[0], err_pipe[0], r.out, r.err);
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR)
            throw IoError(fmt::format("bench: waiting for child {} failed: {}", pid, std::strerror(errno)));
    r.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    r.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0; // Linux reports KiB
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string describe_exit(int exit_code)
{
    if (exit_code > 128)
        return fmt::format("killed by signal {} ({})", exit_code - 128, ::strsignal(exit_code - 128));
    return fmt::format("exit code {}", exit_code);
}

} // namespace edge_rt::cli
