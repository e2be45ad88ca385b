// The pymodbus peer as a child process (see peer.hpp).
#include "peer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

namespace lintel::modbus::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with python3-pymodbus

std::string script_path() {
    return std::string(LINTEL_SOURCE_DIR) + "/tests/support/modbus_peer.py";
}

}  // namespace

Expected<std::unique_ptr<ModbusPeer>> ModbusPeer::start(PeerOptions options,
                                                        std::chrono::milliseconds timeout) {
    signal(SIGPIPE, SIG_IGN);  // a dead peer must fail a write, not kill the test
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        return make_error("test.peer", std::string("pipe: ") + std::strerror(errno));
    }
    std::vector<std::string> args{kPython,  script_path(),
                                  "--port", std::to_string(options.port),
                                  "--unit", std::to_string(options.unit)};
    if (options.meter) args.emplace_back("--meter");
    if (!options.units.empty()) args.insert(args.end(), {"--units", options.units});
    if (!options.serial.empty()) {
        args.insert(args.end(),
                    {"--serial", options.serial, "--baud", std::to_string(options.baud)});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const bool show_stderr = std::getenv("LINTEL_MODBUS_PEER_STDERR") != nullptr;

    const pid_t pid = fork();
    if (pid < 0) return make_error("test.peer", std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Child: own process group, dies with the test, stdin/stdout are the control pipes.
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        if (!show_stderr) {
            const int null = open("/dev/null", O_WRONLY);
            if (null >= 0) dup2(null, STDERR_FILENO);
        }
        execv(kPython, argv.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    std::unique_ptr<ModbusPeer> peer(new ModbusPeer());
    peer->pid_ = pid;
    peer->to_child_ = in[1];
    peer->from_child_ = out[0];

    auto line = peer->read_line(std::chrono::steady_clock::now() + timeout);
    if (!line) return std::unexpected(line.error());
    if (!line->starts_with("READY ")) {
        return make_error("test.peer", "peer said \"" + *line + "\" instead of READY");
    }
    if (options.serial.empty())
        peer->port_ = static_cast<std::uint16_t>(std::stoi(line->substr(6)));
    return peer;
}

ModbusPeer::~ModbusPeer() { kill(); }

void ModbusPeer::kill() {
    if (to_child_ >= 0) close(to_child_);
    if (from_child_ >= 0) close(from_child_);
    to_child_ = from_child_ = -1;
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }
}

Expected<std::string> ModbusPeer::read_line(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return make_error("test.peer", "peer did not answer in time");
        pollfd p{from_child_, POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        char buffer[512];
        const ssize_t n = read(from_child_, buffer, sizeof buffer);
        if (n <= 0) return make_error("test.peer", "peer exited (stdout closed)");
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

Expected<std::string> ModbusPeer::command(const std::string& line,
                                          std::chrono::milliseconds timeout) {
    if (to_child_ < 0) return make_error("test.peer", "peer is not running");
    const std::string text = line + "\n";
    if (write(to_child_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        return make_error("test.peer", "cannot write to the peer");
    }
    auto reply = read_line(std::chrono::steady_clock::now() + timeout);
    if (!reply) return reply;
    if (reply->starts_with("OK")) {
        std::string rest = reply->substr(2);
        if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
        return rest;
    }
    return make_error("test.peer", *reply);
}

std::string ModbusPeer::must(const std::string& line) {
    auto reply = command(line);
    EXPECT_TRUE(reply) << line << ": " << (reply ? "" : reply.error().message);
    return reply ? *reply : std::string();
}

}  // namespace lintel::modbus::test
