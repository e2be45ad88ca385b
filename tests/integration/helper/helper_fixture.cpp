// HelperFixture: the helper under systemd-socket-activate, a dpkg database, raw clients.
#include "helper_fixture.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr unsigned long k_so_acceptcon = 0x00010000;  // __SO_ACCEPTCON in /proc/net/unix

std::string stanza(const std::string& package, const std::string& version) {
    return "Package: " + package +
           "\nStatus: install ok installed\nPriority: optional\nSection: misc\n"
           "Installed-Size: 1\nMaintainer: lintel tests <tests@example.invalid>\n"
           "Architecture: all\nVersion: " +
           version + "\nDescription: throwaway test package\n\n";
}

sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path.string();
    std::memcpy(addr.sun_path, p.c_str(), std::min(p.size() + 1, sizeof addr.sun_path));
    return addr;
}

// Reads until EOF or `deadline`; used by both clients (the forked one must stay
// async-signal-safe: only syscalls on fixed buffers).
std::size_t read_until_eof(int fd, char* buf, std::size_t cap, Clock::time_point deadline) {
    std::size_t got = 0;
    while (got < cap) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        const ssize_t r = ::read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

bool send_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

bool unix_socket_listening(const std::filesystem::path& path) {
    std::ifstream in("/proc/net/unix");
    std::string line;
    std::getline(in, line);  // header
    const std::string wanted = path.string();
    while (std::getline(in, line)) {
        // Num RefCount Protocol Flags Type St Inode Path
        std::istringstream fields(line);
        std::string num, refcount, protocol, flags, type, state, inode, sock_path;
        fields >> num >> refcount >> protocol >> flags >> type >> state >> inode >> sock_path;
        if (sock_path == wanted && (std::stoul(flags, nullptr, 16) & k_so_acceptcon) != 0) {
            return true;
        }
    }
    return false;
}

void HelperFixture::TearDown() {
    if (activator_) activator_->terminate(2s);
    if (HasFailure()) {
        std::cerr << "--- helper log (" << log_path() << ") ---\n" << helper_log() << "---\n";
    }
}

void HelperFixture::make_admindir(const std::optional<std::string>& lintel_version) {
    std::filesystem::create_directories(admindir() / "info");
    std::filesystem::create_directories(admindir() / "updates");
    std::string status = stanza("base-files", "12.4");
    if (lintel_version) status += stanza("lintel", *lintel_version);
    ASSERT_TRUE(write_file(admindir() / "status", status));

    // The database must be one dpkg-query reads cleanly, or the test proves nothing.
    auto query =
        Process::spawn(ProcessOptions::of({"dpkg-query", "--admindir=" + admindir().string(), "-W",
                                           "--showformat=${Version}", "base-files"})
                           .with_stdout(Output::to_pipe())
                           .with_stderr(Output::to_file(dir_ / "dpkg-query.err")));
    ASSERT_TRUE(query) << query.error().message;
    EXPECT_EQ(query->read_stdout(5s), "12.4");
    auto status_code = query->wait_exit(5s);
    ASSERT_TRUE(status_code);
    EXPECT_EQ(status_code->describe(), "exit 0");
    EXPECT_EQ(read_file(dir_ / "dpkg-query.err").value_or("?"), "");
}

void HelperFixture::start_helper(const std::vector<std::string>& extra_args) {
    std::vector<std::string> argv = {
        "systemd-socket-activate", "--accept",       "-l",   socket_path().string(),
        LINTEL_HELPER_BINARY,      "--allow-user",   "root", "--dpkg-admindir",
        admindir().string(),       "--read-timeout", "300ms"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    auto p = Process::spawn(ProcessOptions::of(argv)
                                .with_stdout(Output::null())
                                .with_stderr(Output::to_file(log_path())));
    ASSERT_TRUE(p) << p.error().message << " (systemd-socket-activate is in Debian's systemd)";
    activator_ = std::move(*p);
    ASSERT_TRUE(wait_until([&] { return unix_socket_listening(socket_path()); }, 5s))
        << "systemd-socket-activate did not listen on " << socket_path() << "\n"
        << helper_log();
}

void HelperFixture::open_socket_to_everyone() {
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0711), 0) << std::strerror(errno);
    ASSERT_EQ(::chmod(socket_path().c_str(), 0666), 0) << std::strerror(errno);
}

std::string HelperFixture::exchange(const std::string& bytes, bool half_close,
                                    std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd, 0);
    if (fd < 0) return {};
    const sockaddr_un addr = address_of(socket_path());
    std::string out;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ADD_FAILURE() << "connect " << socket_path() << ": " << std::strerror(errno);
    } else {
        // A write may fail when the helper already answered and closed (too_large): read anyway.
        (void)send_all(fd, bytes.data(), bytes.size());
        if (half_close) ::shutdown(fd, SHUT_WR);
        std::vector<char> buf(256 * 1024);
        out.assign(buf.data(), read_until_eof(fd, buf.data(), buf.size(), Clock::now() + timeout));
    }
    ::close(fd);
    return out;
}

std::string HelperFixture::exchange_as(uid_t uid, gid_t gid, const std::string& bytes) {
    // Everything the child needs is prepared here: after fork() in a threaded process only
    // async-signal-safe calls are allowed.
    const sockaddr_un addr = address_of(socket_path());
    int result_pipe[2];
    EXPECT_EQ(::pipe2(result_pipe, O_CLOEXEC), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(result_pipe[0]);
        const gid_t groups[1] = {gid};
        if (::setgroups(1, groups) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) _exit(10);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) _exit(11);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) _exit(12);
        (void)send_all(fd, bytes.data(), bytes.size());
        static char buf[64 * 1024];
        const std::size_t got = read_until_eof(fd, buf, sizeof buf, Clock::now() + 5s);
        (void)write_all(result_pipe[1], buf, got);
        _exit(0);
    }
    ::close(result_pipe[1]);
    std::string out;
    std::vector<char> buf(64 * 1024);
    out.assign(buf.data(),
               read_until_eof(result_pipe[0], buf.data(), buf.size(), Clock::now() + 10s));
    ::close(result_pipe[0]);
    int status = 0;
    if (!wait_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 10s)) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        ADD_FAILURE() << "the uid " << uid << " client did not finish";
    } else {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "the uid " << uid
            << " client failed (10: setuid, 11: socket, 12: connect): " << status;
    }
    return out;
}

std::string HelperFixture::helper_log() const { return read_file(log_path()).value_or(""); }

bool HelperFixture::wait_for_log(const std::string& needle,
                                 std::chrono::milliseconds timeout) const {
    return wait_until([&] { return helper_log().find(needle) != std::string::npos; }, timeout,
                      std::chrono::milliseconds(10));
}

}  // namespace lintel::test
