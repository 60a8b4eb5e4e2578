#include "process.hpp"

#include "env.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <signal.h>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace edge_rt::test {
namespace {

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe()
    {
        if (::pipe2(fd, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe2 failed");
    }
    ~Pipe()
    {
        for (int f : fd)
            if (f >= 0)
                ::close(f);
    }
    void close_end(int i)
    {
        ::close(fd[i]);
        fd[i] = -1;
    }
};

// Feeds stdin and drains stdout/stderr together so no pipe can fill up and deadlock;
// `on_output` sees the result so far after every read.
void pump(Pipe& in, Pipe& out, Pipe& err, const std::string& stdin_text, ProcessResult& r,
          const std::function<void(const ProcessResult&)>& on_output)
{
    std::size_t written = 0;
    if (stdin_text.empty())
        in.close_end(1);
    while (out.fd[0] >= 0 || err.fd[0] >= 0) {
        std::array<pollfd, 3> fds{{{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error("poll failed");
        }
        if (in.fd[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t n = ::write(in.fd[1], stdin_text.data() + written, stdin_text.size() - written);
            if (n > 0)
                written += static_cast<std::size_t>(n);
            if (n < 0 || written == stdin_text.size())
                in.close_end(1);
        }
        Pipe* pipes[2] = {&out, &err};
        std::string* sinks[2] = {&r.out, &r.err};
        for (int i = 0; i < 2; ++i) {
            if (pipes[i]->fd[0] < 0 || !(fds[static_cast<std::size_t>(i)].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            const ssize_t n = ::read(pipes[i]->fd[0], buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
                if (on_output)
                    on_output(r);
            } else if (n == 0 || errno != EINTR)
                pipes[i]->close_end(0);
        }
    }
}

std::vector<std::string> cli_argv(const std::vector<std::string>& args)
{
    std::vector<std::string> argv;
    // Cross builds: meson runs tests under the cross file's exe_wrapper and tells them so.
    std::istringstream wrapper(std::getenv("MESON_EXE_WRAPPER") ? std::getenv("MESON_EXE_WRAPPER") : "");
    for (std::string word; wrapper >> word;)
        argv.push_back(word);
    argv.push_back(required_env("EDGE_RT_CLI"));
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text)
{
    return run_process_signalled(argv, 0, {}, stdin_text);
}

ProcessResult run_process_signalled(const std::vector<std::string>& argv, int signal,
                                    const std::function<bool(const ProcessResult&)>& ready,
                                    const std::string& stdin_text)
{
    Pipe in, out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw std::runtime_error("cannot start " + argv[0]);
    in.close_end(0);
    out.close_end(1);
    err.close_end(1);

    ProcessResult r;
    bool sent = false;
    pump(in, out, err, stdin_text, r, [&](const ProcessResult& so_far) {
        if (!sent && ready && ready(so_far)) {
            ::kill(pid, signal);
            sent = true;
        }
    });
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.killed_by = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return r;
}

ProcessResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text)
{
    return run_process(cli_argv(args), stdin_text);
}

ProcessResult run_cli_signalled(const std::vector<std::string>& args, int signal,
                                const std::function<bool(const ProcessResult&)>& ready, const std::string& stdin_text)
{
    return run_process_signalled(cli_argv(args), signal, ready, stdin_text);
}

} // namespace edge_rt::test
