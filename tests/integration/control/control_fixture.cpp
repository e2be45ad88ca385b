// ControlFixture: the loop thread, the server's lifecycle on it, lintelctl runs, raw clients.
#include "control_fixture.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path.string();
    std::memcpy(addr.sun_path, p.c_str(), std::min(p.size() + 1, sizeof addr.sun_path));
    return addr;
}

std::size_t read_until_eof(int fd, std::string& out, Clock::time_point deadline) {
    char buf[65536];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        out.append(buf, static_cast<std::size_t>(r));
    }
    return out.size();
}

}  // namespace

void ControlFixture::SetUp() {
    loop_ = std::thread([this] { io_.run(); });
}

void ControlFixture::TearDown() {
    if (server_) stop_server();
    work_.reset();
    io_.stop();
    if (loop_.joinable()) loop_.join();
    if (HasFailure()) {
        std::cerr << "--- server log ---\n";
        for (const auto& line : log_.lines()) std::cerr << line.text() << "\n";
        std::cerr << "---\n";
    }
}

control::ControlServerOptions ControlFixture::test_options() const {
    control::ControlServerOptions o;
    o.socket_path = socket_path();
    o.admin_group = "lintel-admin";
    o.admin_gid = k_test_admin_gid;
    o.read_timeout = 300ms;
    o.write_timeout = 1s;
    o.command_timeout = 5s;
    return o;
}

Expected<void> ControlFixture::try_start_server(control::ControlServerOptions options) {
    return on_loop([&]() -> Expected<void> {
        server_ = std::make_unique<control::ControlServer>(io_.get_executor(), service_, log_,
                                                           std::move(options));
        server_->on_refused([this](const control::Peer& peer, std::string_view reason) {
            std::lock_guard lock(seen_mutex_);
            refused_.push_back({peer.uid, peer.pid, std::string(reason)});
        });
        server_->on_request([this](const control::Peer& peer, const control::Request& request) {
            std::lock_guard lock(seen_mutex_);
            requests_.push_back({peer.uid, peer.pid, control::describe(request)});
        });
        auto started = server_->start();
        if (!started) server_.reset();
        return started;
    });
}

void ControlFixture::start_server(std::optional<control::ControlServerOptions> options) {
    auto started = try_start_server(options ? std::move(*options) : test_options());
    ASSERT_TRUE(started) << started.error().code << ": " << started.error().message;
}

void ControlFixture::stop_server() {
    on_loop([this] {
        if (server_) server_->stop();
        server_.reset();
        return 0;
    });
}

std::size_t ControlFixture::server_connections() {
    return on_loop([this] { return server_ ? server_->connections() : std::size_t{0}; });
}

Process ControlFixture::start_ctl(const std::vector<std::string>& args, int n) {
    std::vector<std::string> argv = {LINTELCTL_BINARY, "--socket", socket_path().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = Process::spawn(
        ProcessOptions::of(argv)
            .with_stdout(Output::to_file(dir_ / ("ctl-" + std::to_string(n) + ".out")))
            .with_stderr(Output::to_file(dir_ / ("ctl-" + std::to_string(n) + ".err"))));
    if (!p) {
        ADD_FAILURE() << p.error().message;
        std::abort();
    }
    return std::move(*p);
}

CtlRun ControlFixture::finish(Process& process, int n) {
    CtlRun run;
    auto status = process.wait_exit(15s);
    if (!status) {
        ADD_FAILURE() << "lintelctl did not exit within 15 s";
        process.kill9();
    } else if (status->exited) {
        run.code = status->code;
    } else {
        ADD_FAILURE() << "lintelctl ended by " << status->describe();
    }
    run.out = read_file(dir_ / ("ctl-" + std::to_string(n) + ".out")).value_or("?");
    run.err = read_file(dir_ / ("ctl-" + std::to_string(n) + ".err")).value_or("?");
    return run;
}

CtlRun ControlFixture::ctl(const std::vector<std::string>& args) {
    const int n = ++runs_;
    Process p = start_ctl(args, n);
    return finish(p, n);
}

std::filesystem::path ControlFixture::copied_ctl() {
    const auto copy = dir_ / "lintelctl";
    if (!std::filesystem::exists(copy)) {
        std::filesystem::copy_file(LINTELCTL_BINARY, copy);
        std::filesystem::permissions(copy, std::filesystem::perms(0755));
        ::chmod(dir_.path().c_str(), 0711);  // reachable, not listable, for the other uid
    }
    return copy;
}

CtlRun ControlFixture::ctl_as(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                              const std::vector<std::string>& args) {
    // Everything the child needs is prepared here: after fork() in a threaded process (the
    // loop thread runs) only async-signal-safe calls are allowed until exec.
    const std::string binary = copied_ctl().string();
    std::vector<std::string> argv_strings = {binary, "--socket", socket_path().string()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    const int n = ++runs_;
    const auto out_path = dir_ / ("ctl-" + std::to_string(n) + ".out");
    const auto err_path = dir_ / ("ctl-" + std::to_string(n) + ".err");
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(out, 0);
    EXPECT_GE(err, 0);

    const pid_t child = ::fork();
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) _exit(120);
        if (::setgroups(groups.size(), groups.data()) != 0) _exit(121);
        if (::setgid(gid) != 0) _exit(122);
        if (::setuid(uid) != 0) _exit(123);
        if (::chdir("/") != 0) _exit(124);
        ::execv(argv[0], argv.data());
        _exit(125);
    }
    ::close(out);
    ::close(err);
    CtlRun run;
    int status = 0;
    if (!wait_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 15s)) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        ADD_FAILURE() << "lintelctl as uid " << uid << " did not exit within 15 s";
    } else if (WIFEXITED(status)) {
        run.code = WEXITSTATUS(status);
        EXPECT_LT(run.code, 120) << "the forked child failed before exec (120: dup2, 121: "
                                    "setgroups, 122: setgid, 123: setuid, 124: chdir, 125: exec)";
    }
    run.out = read_file(out_path).value_or("?");
    run.err = read_file(err_path).value_or("?");
    return run;
}

std::string ControlFixture::exchange(const std::string& bytes, bool half_close,
                                     std::chrono::milliseconds timeout) {
    const int fd = open_raw();
    if (fd < 0) return {};
    std::string out;
    // A write may fail when the server answered and closed already (too_large): read anyway.
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    if (half_close) ::shutdown(fd, SHUT_WR);
    read_until_eof(fd, out, Clock::now() + timeout);
    ::close(fd);
    return out;
}

int ControlFixture::open_raw() {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd, 0);
    if (fd < 0) return -1;
    const sockaddr_un addr = address_of(socket_path());
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ADD_FAILURE() << "connect " << socket_path() << ": " << std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

std::vector<SeenPeer> ControlFixture::refused() const {
    std::lock_guard lock(seen_mutex_);
    return refused_;
}

std::vector<SeenPeer> ControlFixture::requests() const {
    std::lock_guard lock(seen_mutex_);
    return requests_;
}

}  // namespace lintel::test
