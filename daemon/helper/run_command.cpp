// posix_spawn with stdout/stderr pipes; output and exit are awaited under one deadline.
#include "helper/run_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/unique_fd.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

using Clock = std::chrono::steady_clock;
using common::UniqueFd;

Expected<CommandResult> fail(std::string message) {
    return make_error(std::string(codes::internal), std::move(message));
}

std::string errno_text(int err) { return std::strerror(err); }

// The posix_spawn attribute objects need a destroy on every path.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

bool make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
    int fds[2];
    // CLOEXEC: only the dup2'd copies (fd 1 and 2) reach the child.
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    return true;
}

// True once the child was reaped (status recorded in `result`).
bool try_reap(pid_t pid, CommandResult& result) {
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != pid) return r < 0;  // ECHILD: nothing left to wait for
    if (WIFEXITED(status)) {
        result.exited = true;
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    return true;
}

void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

void append_capped(std::string& sink, const char* data, std::size_t size, std::size_t cap,
                   bool& truncated) {
    const std::size_t room = cap - std::min(cap, sink.size());
    const std::size_t take = std::min(room, size);
    sink.append(data, take);
    if (take < size) truncated = true;
}

}  // namespace

const std::vector<std::string>& fixed_environment() {
    static const std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
    return env;
}

Expected<CommandResult> run_command(const CommandSpec& spec) {
    if (spec.argv.empty() || !spec.argv[0].starts_with('/')) {
        return fail("run_command needs an absolute program path");
    }
    UniqueFd out_read, out_write, err_read, err_write;
    if (!make_pipe(out_read, out_write) || !make_pipe(err_read, err_write)) {
        return fail("pipe2: " + errno_text(errno));
    }

    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, out_write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, err_write.get(), STDERR_FILENO);
    // Some tools write into their working directory (dpkg-repack); a missing one fails the spawn.
    if (!spec.working_dir.empty()) {
        posix_spawn_file_actions_addchdir_np(&setup.actions, spec.working_dir.c_str());
    }
    // The child starts with default signal handling and nothing blocked, whatever we inherited.
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigmask(&setup.attr, &none);
    posix_spawnattr_setsigdefault(&setup.attr, &defaults);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc =
        ::posix_spawn(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
    if (rc != 0) return fail("cannot start " + spec.argv[0] + ": " + errno_text(rc));
    out_write.reset();
    err_write.reset();

    // A pidfd lets one poll() wait for output and exit together. Without one (kernel < 5.3)
    // the exit is polled with WNOHANG on a short tick instead.
    UniqueFd pidfd;
    pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    CommandResult result;
    bool reaped = false;
    const auto deadline = Clock::now() + spec.timeout;
    char buffer[4096];
    while (out_read.get() >= 0 || err_read.get() >= 0 || !reaped) {
        if (!reaped && (pidfd.get() < 0 || (out_read.get() < 0 && err_read.get() < 0))) {
            reaped = try_reap(pid, result);
            if (reaped) continue;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        int wait_ms = static_cast<int>(left.count()) + 1;
        if (!reaped && pidfd.get() < 0) wait_ms = std::min(wait_ms, 5);
        pollfd fds[3] = {{out_read.get(), POLLIN, 0},
                         {err_read.get(), POLLIN, 0},
                         {reaped ? -1 : pidfd.get(), POLLIN, 0}};  // fd -1 is skipped
        const int n = ::poll(fds, 3, wait_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;  // cannot wait any more: handled like the deadline
        UniqueFd* streams[2] = {&out_read, &err_read};
        std::string* sinks[2] = {&result.out, &result.err};
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                streams[i]->reset();
                continue;
            }
            append_capped(*sinks[i], buffer, static_cast<std::size_t>(got), spec.max_output,
                          result.truncated);
        }
        if (fds[2].fd >= 0 && fds[2].revents != 0) reaped = try_reap(pid, result);
    }
    if (!reaped) {
        kill_and_reap(pid);
        return fail(spec.argv[0] + " did not finish within " +
                    std::to_string(spec.timeout.count()) + " ms and was killed");
    }
    if (out_read.get() >= 0 || err_read.get() >= 0) {
        // It exited, but something it started still holds its output open.
        return fail(spec.argv[0] + " exited but its output stayed open past " +
                    std::to_string(spec.timeout.count()) + " ms");
    }
    return result;
}

}  // namespace lintel::helper
