// call(): connect (retrying while the backlog is full), write the line, read the line.
#include "ctl/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/line_io.hpp"
#include "ctl/time_text.hpp"

namespace lintel::ctl {
namespace {

using Clock = std::chrono::steady_clock;
using common::LineIoError;

constexpr std::string_view k_permission_hint =
    "permission denied: run as root or as a member of group lintel-admin";

std::unexpected<Error> fail(std::string_view code, std::string message) {
    return make_error(std::string(code), std::move(message));
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::chrono::milliseconds left(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

int exit_code_for(const Error& error) {
    if (error.code == codes::permission || error.code == control::codes::refused) {
        return k_exit_noperm;
    }
    if (error.code == codes::not_running || error.code == codes::timeout) {
        return k_exit_unavailable;
    }
    if (error.code == codes::usage) return k_exit_usage;
    return k_exit_error;
}

std::string describe_error(const Error& error) {
    if (error.code == control::codes::refused) {
        return std::string(k_permission_hint) + " (linteld: " + error.message + ")";
    }
    if (error.code.starts_with("ctl.")) return error.message;
    return error.message + " (" + error.code + ")";
}

Expected<nlohmann::json> call(const std::filesystem::path& socket_path,
                              const control::Request& request, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const std::string path = socket_path.string();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof address.sun_path) {
        return fail(codes::usage, "--socket \"" + path + "\" is empty or longer than " +
                                      std::to_string(sizeof address.sun_path - 1) + " bytes");
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0) return fail(codes::io, std::string("socket: ") + std::strerror(errno));
    for (;;) {
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
            break;
        }
        const int error = errno;
        if (error == EINTR) continue;
        if (error == EAGAIN) {  // listening, but its backlog is full: linteld is very busy
            if (left(deadline).count() == 0) {
                return fail(codes::timeout, "linteld did not accept the connection within " +
                                                format_timeout(timeout) + " (socket " + path + ")");
            }
            std::this_thread::sleep_for(std::min(std::chrono::milliseconds(20), left(deadline)));
            continue;
        }
        if (error == ENOENT || error == ENOTDIR) {
            return fail(codes::not_running, "linteld is not running (no socket at " + path + ")");
        }
        if (error == ECONNREFUSED) {
            return fail(codes::not_running,
                        "linteld is not running (nothing listens on " + path + ")");
        }
        if (error == EACCES || error == EPERM) {
            return fail(codes::permission, std::string(k_permission_hint) + " (cannot connect to " +
                                               path + ": " + std::strerror(error) + ")");
        }
        return fail(codes::io, "cannot connect to " + path + ": " + std::strerror(error));
    }

    // linteld answers a refused or busy peer without reading, and may have closed already:
    // a failed write is only reported if no answer can be read either.
    const std::string line = control::serialise_request(request);
    auto sent = common::write_all(fd.get(), line, left(deadline));
    if (!sent && sent.error().kind == LineIoError::Kind::timeout) {
        return fail(codes::timeout, "linteld did not take the request within " +
                                        format_timeout(timeout) + " (socket " + path + ")");
    }

    auto response = common::read_line(fd.get(), left(deadline), control::k_max_response_bytes);
    if (!response) {
        const LineIoError& e = response.error();
        switch (e.kind) {
            case LineIoError::Kind::timeout:
                return fail(codes::timeout, "linteld did not answer within " +
                                                format_timeout(timeout) + " (socket " + path + ")");
            case LineIoError::Kind::too_large:
                return fail(control::codes::bad_response,
                            "linteld's response is longer than " +
                                std::to_string(control::k_max_response_bytes) + " bytes");
            case LineIoError::Kind::closed:
                return fail(codes::io, "linteld closed the connection without an answer");
            case LineIoError::Kind::io:
                if (e.error_number == ECONNRESET) {
                    return fail(codes::io, "linteld closed the connection without an answer");
                }
                return fail(codes::io, std::string("reading linteld's answer: ") +
                                           std::strerror(e.error_number));
        }
    }
    return control::parse_response(*response);
}

}  // namespace lintel::ctl
