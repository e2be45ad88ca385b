// Test support: a child process (broker, peer, daemon) that cannot outlive the test that started
// it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::test {

// Where a child's stdout/stderr go.
struct Output {
    enum class Kind { inherit, file, append, pipe, null };
    Kind kind = Kind::inherit;
    std::filesystem::path path;  // Kind::file (truncated) or Kind::append; created 0600

    static Output inherit() { return {}; }
    static Output to_file(std::filesystem::path p) { return {Kind::file, std::move(p)}; }
    static Output append_to_file(std::filesystem::path p) { return {Kind::append, std::move(p)}; }
    static Output to_pipe() { return {Kind::pipe, {}}; }
    static Output null() { return {Kind::null, {}}; }
};

struct ProcessOptions {
    std::vector<std::string> argv;               // argv[0] is the program (PATH is searched)
    std::map<std::string, std::string> env_add;  // added to / overriding this process's environment
    std::filesystem::path cwd;                   // empty: inherit
    Output stdout_to = Output::inherit();
    Output stderr_to = Output::inherit();
    bool stdin_pipe = false;  // true: the child reads a pipe whose write end is stdin_fd()

    // Builder style, because designated initializers that skip fields trip -Wextra:
    //     Process::spawn(ProcessOptions::of({"mosquitto", "-c",
    //     conf}).with_stderr(Output::to_file(log)))
    static ProcessOptions of(std::vector<std::string> argv) {
        ProcessOptions o;
        o.argv = std::move(argv);
        return o;
    }
    ProcessOptions& with_env(std::string key, std::string value) {
        env_add[std::move(key)] = std::move(value);
        return *this;
    }
    ProcessOptions& with_cwd(std::filesystem::path dir) {
        cwd = std::move(dir);
        return *this;
    }
    ProcessOptions& with_stdout(Output o) {
        stdout_to = std::move(o);
        return *this;
    }
    ProcessOptions& with_stderr(Output o) {
        stderr_to = std::move(o);
        return *this;
    }
    ProcessOptions& with_stdin_pipe() {
        stdin_pipe = true;
        return *this;
    }
};

struct ExitStatus {
    bool exited = false;  // true: normal exit with `code`; false: killed by `signal`
    int code = 0;
    int signal = 0;
    std::string describe() const;  // "exit 0", "signal 9 (Killed)"
};

// The child runs in its own process group (terminate()/kill9() reach its children too) and gets
// SIGKILL from the kernel when the spawning *thread* dies (PR_SET_PDEATHSIG), so a crashed test
// leaves nothing behind. Spawn from the test's main thread: a short-lived helper thread that
// exits would take the child with it.
class Process {
public:
    static Expected<Process> spawn(ProcessOptions options);

    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process();  // kill9() + reap if still running

    pid_t pid() const { return pid_; }
    bool running();  // false once it exited (reaps it)

    // SIGTERM to the group, wait up to `grace`, then SIGKILL. Returns how it ended.
    ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // SIGKILL to the group and reap.
    ExitStatus kill9();
    // Waits for the child to exit on its own; nullopt when `timeout` passed first.
    std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
    // Sends any signal to the whole group.
    void signal(int sig);

    // Kind::pipe only: the read end of the child's stdout/stderr (-1 otherwise). Owned by Process.
    int stdout_fd() const { return stdout_fd_; }
    int stderr_fd() const { return stderr_fd_; }
    // with_stdin_pipe() only: the write end of the child's stdin (-1 otherwise or once closed).
    int stdin_fd() const { return stdin_fd_; }
    // Closes the child's stdin: EOF, which many peers take as "the test is gone, exit".
    void close_stdin();
    // Kind::pipe only: reads what is available until EOF or `timeout`.
    std::string read_stdout(std::chrono::milliseconds timeout);

private:
    Process() = default;
    bool try_reap();
    void close_fds();

    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    int stdin_fd_ = -1;
};

}  // namespace lintel::test
