// adopt_listen_socket / create_listen_socket: the checks around socket, bind, chown, listen.
#include "control/listen_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lintel::control {
namespace {

constexpr int k_backlog = 16;
constexpr std::string_view k_socket_code = "control.socket";

std::unexpected<Error> socket_error(std::string message) {
    return make_error(std::string(k_socket_code), std::move(message));
}

std::string errno_text(int error_number) { return std::strerror(error_number); }

// Closes the fd on every early return.
class FdGuard {
public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

int socket_option(int fd, int option) {
    int value = -1;
    socklen_t len = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, option, &value, &len) != 0) return -1;
    return value;
}

// Is something accepting on the socket at `address`? ECONNREFUSED means a stale file.
Expected<bool> someone_listens(const sockaddr_un& address, const std::string& path) {
    FdGuard probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (probe.get() < 0) return socket_error("cannot create a socket: " + errno_text(errno));
    if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        return true;
    }
    if (errno == EAGAIN) return true;  // listening, backlog full
    if (errno == ECONNREFUSED) return false;
    return socket_error("cannot check whether the socket at " + path +
                        " is in use: " + errno_text(errno));
}

}  // namespace

Expected<ListenSocket> adopt_listen_socket(int fd) {
    const std::string what = "the control socket passed as fd " + std::to_string(fd);
    if (fd < 0 || ::fcntl(fd, F_GETFD) < 0) return socket_error(what + " is not an open fd");
    if (socket_option(fd, SO_DOMAIN) != AF_UNIX || socket_option(fd, SO_TYPE) != SOCK_STREAM) {
        return socket_error(what + " is not an AF_UNIX stream socket (ListenStream= needs a path)");
    }
    if (socket_option(fd, SO_ACCEPTCONN) != 1) {
        return socket_error(what + " is not listening (the socket unit must not use Accept=yes)");
    }
    (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);  // the daemon's children must not inherit it
    ListenSocket out;
    out.fd = fd;
    sockaddr_un address{};
    socklen_t len = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) == 0 &&
        len > offsetof(sockaddr_un, sun_path) && address.sun_path[0] != '\0') {
        out.path =
            std::string(address.sun_path, ::strnlen(address.sun_path, sizeof address.sun_path));
    }
    return out;
}

Expected<ListenSocket> create_listen_socket(const std::filesystem::path& path,
                                            std::optional<gid_t> admin_gid,
                                            const std::string& admin_group_name) {
    const std::string p = path.string();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (p.empty() || p.size() >= sizeof address.sun_path) {
        return socket_error("control socket path \"" + p + "\" is empty or longer than " +
                            std::to_string(sizeof address.sun_path - 1) + " bytes");
    }
    std::memcpy(address.sun_path, p.c_str(), p.size() + 1);

    // A socket file left by a linteld that died is removed; a live one is not stolen, and a
    // regular file (a typo in the config pointing at something precious) is never removed.
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            return socket_error(p +
                                " exists and is not a socket; linteld does not remove it "
                                "(choose another path or move the file away)");
        }
        auto live = someone_listens(address, p);
        if (!live) return std::unexpected(live.error());
        if (*live) {
            return make_error("control.in_use",
                              "another process listens on " + p + " (is another linteld running?)");
        }
        if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
            return socket_error("cannot remove the stale socket " + p + ": " + errno_text(errno));
        }
    } else if (errno != ENOENT) {
        return socket_error("cannot check " + p + ": " + errno_text(errno));
    }

    FdGuard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return socket_error("cannot create a socket: " + errno_text(errno));
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        return socket_error("cannot create the control socket at " + p + ": " + errno_text(errno));
    }
    ListenSocket out;
    out.path = path;
    out.created = true;
    if (::lstat(p.c_str(), &st) == 0) {
        out.dev = st.st_dev;
        out.ino = st.st_ino;
    }
    auto fail = [&](std::string message) {
        ::unlink(p.c_str());
        return socket_error(std::move(message));
    };
    // Group and mode before listen(): until then every connect() is refused, so nobody gets in
    // under the mode bind() left (0777 & ~umask).
    if (admin_gid && ::chown(p.c_str(), static_cast<uid_t>(-1), *admin_gid) != 0) {
        if (errno != EPERM) {
            return fail("cannot give " + p + " to group " + admin_group_name + ": " +
                        errno_text(errno));
        }
        out.note = "cannot give the control socket " + p + " to group " + admin_group_name +
                   " (linteld's user is not a member): only root and linteld's user can "
                   "connect; use the lintel-control.socket unit, or add linteld's user to " +
                   admin_group_name;
    }
    if (::chmod(p.c_str(), 0660) != 0) {
        return fail("cannot set mode 0660 on " + p + ": " + errno_text(errno));
    }
    if (::listen(fd.get(), k_backlog) != 0) {
        return fail("cannot listen on " + p + ": " + errno_text(errno));
    }
    out.fd = fd.release();
    return out;
}

void remove_socket_file(const ListenSocket& socket) {
    if (!socket.created || socket.path.empty()) return;
    struct stat st {};
    if (::lstat(socket.path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return;
    if (st.st_dev != socket.dev || st.st_ino != socket.ino) return;
    ::unlink(socket.path.c_str());
}

}  // namespace lintel::control
