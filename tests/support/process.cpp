// Test support: fork/exec with a process group and a parent-death signal, plus reaping with
// deadlines.
#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace lintel::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int err) { return std::strerror(err); }

// Prepared before fork: after fork only async-signal-safe calls are allowed (other test threads
// may hold malloc's lock), so the child does nothing but dup2/open/chdir/exec.
struct ChildPlan {
    std::vector<std::string> argv_storage;
    std::vector<std::string> env_storage;
    std::vector<char*> argv;
    std::vector<char*> envp;
    std::string cwd;
    std::string stdout_path;
    std::string stderr_path;
};

ChildPlan make_plan(const ProcessOptions& o) {
    ChildPlan p;
    p.argv_storage = o.argv;
    std::map<std::string, std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : o.env_add) env[k] = v;
    for (const auto& [k, v] : env) p.env_storage.push_back(k + "=" + v);
    for (auto& s : p.argv_storage) p.argv.push_back(s.data());
    p.argv.push_back(nullptr);
    for (auto& s : p.env_storage) p.envp.push_back(s.data());
    p.envp.push_back(nullptr);
    p.cwd = o.cwd.string();
    p.stdout_path = o.stdout_to.path.string();
    p.stderr_path = o.stderr_to.path.string();
    return p;
}

[[noreturn]] void child_fail(int status_fd, int err) {
    // Report errno to the parent through the CLOEXEC pipe; exec success closes it silently.
    auto written = write(status_fd, &err, sizeof err);
    (void)written;
    _exit(127);
}

void child_redirect(const Output& out, const std::string& path, int pipe_write, int target,
                    int status_fd) {
    int fd = -1;
    switch (out.kind) {
        case Output::Kind::inherit:
            return;
        case Output::Kind::file:
            fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
            break;
        case Output::Kind::append:
            fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            break;
        case Output::Kind::null:
            fd = open("/dev/null", O_WRONLY);
            break;
        case Output::Kind::pipe:
            fd = pipe_write;
            break;
    }
    if (fd < 0 || dup2(fd, target) < 0) child_fail(status_fd, errno);
}

ExitStatus decode(int wstatus) {
    ExitStatus s;
    if (WIFEXITED(wstatus)) {
        s.exited = true;
        s.code = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
        s.signal = WTERMSIG(wstatus);
    }
    return s;
}

}  // namespace

std::string ExitStatus::describe() const {
    if (exited) return "exit " + std::to_string(code);
    const char* name = strsignal(signal);
    return "signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
}

Expected<Process> Process::spawn(ProcessOptions options) {
    if (options.argv.empty()) return make_error("test.process", "spawn: empty argv");
    ChildPlan plan = make_plan(options);

    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0)
        return make_error("test.process", "pipe2: " + errno_text(errno));
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    if (options.stdout_to.kind == Output::Kind::pipe && pipe2(out_pipe, O_CLOEXEC) != 0)
        return make_error("test.process", "pipe2: " + errno_text(errno));
    if (options.stderr_to.kind == Output::Kind::pipe && pipe2(err_pipe, O_CLOEXEC) != 0)
        return make_error("test.process", "pipe2: " + errno_text(errno));
    int in_pipe[2] = {-1, -1};
    if (options.stdin_pipe && pipe2(in_pipe, O_CLOEXEC) != 0)
        return make_error("test.process", "pipe2: " + errno_text(errno));

    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return make_error("test.process", "fork: " + errno_text(errno));
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
        // The test binary may block or ignore signals; the child starts clean.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        child_redirect(options.stdout_to, plan.stdout_path, out_pipe[1], STDOUT_FILENO,
                       status_pipe[1]);
        child_redirect(options.stderr_to, plan.stderr_path, err_pipe[1], STDERR_FILENO,
                       status_pipe[1]);
        if (in_pipe[0] >= 0 && dup2(in_pipe[0], STDIN_FILENO) < 0)
            child_fail(status_pipe[1], errno);
        if (!plan.cwd.empty() && chdir(plan.cwd.c_str()) != 0) child_fail(status_pipe[1], errno);
        execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
        child_fail(status_pipe[1], errno);
    }
    // Also from the parent side, so a signal sent right after spawn() reaches the group.
    setpgid(pid, pid);

    close(status_pipe[1]);
    if (out_pipe[1] >= 0) close(out_pipe[1]);
    if (err_pipe[1] >= 0) close(err_pipe[1]);
    if (in_pipe[0] >= 0) close(in_pipe[0]);

    int child_errno = 0;
    ssize_t n;
    do {
        n = read(status_pipe[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    close(status_pipe[0]);

    Process p;
    p.pid_ = pid;
    p.stdout_fd_ = out_pipe[0];
    p.stderr_fd_ = err_pipe[0];
    p.stdin_fd_ = in_pipe[1];
    if (n > 0) {
        p.wait_exit(std::chrono::seconds(5));
        return make_error("test.process",
                          "cannot start " + options.argv[0] + ": " + errno_text(child_errno));
    }
    return p;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      status_(std::move(other.status_)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      stderr_fd_(std::exchange(other.stderr_fd_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)) {}

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        if (pid_ > 0 && !status_) kill9();
        close_fds();
        pid_ = std::exchange(other.pid_, -1);
        status_ = std::move(other.status_);
        stdout_fd_ = std::exchange(other.stdout_fd_, -1);
        stderr_fd_ = std::exchange(other.stderr_fd_, -1);
        stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    }
    return *this;
}

Process::~Process() {
    if (pid_ > 0 && !status_) kill9();
    close_fds();
}

void Process::close_fds() {
    if (stdout_fd_ >= 0) close(stdout_fd_);
    if (stderr_fd_ >= 0) close(stderr_fd_);
    stdout_fd_ = stderr_fd_ = -1;
    close_stdin();
}

void Process::close_stdin() {
    if (stdin_fd_ >= 0) close(stdin_fd_);
    stdin_fd_ = -1;
}

bool Process::try_reap() {
    if (status_) return true;
    if (pid_ <= 0) return true;
    int wstatus = 0;
    pid_t r = waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_) {
        status_ = decode(wstatus);
        return true;
    }
    if (r < 0 && errno == ECHILD) {  // reaped elsewhere (e.g. a SIGCHLD handler)
        status_ = ExitStatus{};
        return true;
    }
    return false;
}

bool Process::running() { return pid_ > 0 && !try_reap(); }

void Process::signal(int sig) {
    if (pid_ > 0 && !status_) ::kill(-pid_, sig);
}

std::optional<ExitStatus> Process::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    // Polling with a short sleep: simple, and exit is observed within 2 ms.
    while (!try_reap()) {
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return status_;
}

ExitStatus Process::terminate(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return ExitStatus{};
    signal(SIGTERM);
    if (auto s = wait_exit(grace)) {
        ::kill(-pid_, SIGKILL);  // stragglers in the group
        return *s;
    }
    return kill9();
}

ExitStatus Process::kill9() {
    if (pid_ <= 0) return ExitStatus{};
    ::kill(-pid_, SIGKILL);
    if (!status_) {
        int wstatus = 0;
        pid_t r;
        do {
            r = waitpid(pid_, &wstatus, 0);
        } while (r < 0 && errno == EINTR);
        status_ = r == pid_ ? decode(wstatus) : ExitStatus{};
    }
    return *status_;
}

std::string Process::read_stdout(std::chrono::milliseconds timeout) {
    std::string out;
    if (stdout_fd_ < 0) return out;
    const auto deadline = Clock::now() + timeout;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd pfd{stdout_fd_, POLLIN, 0};
        int r = poll(&pfd, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        ssize_t n = read(stdout_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace lintel::test
