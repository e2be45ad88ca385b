// Deadline-bound line reading and writing with recv/send and poll.
#include "common/line_io.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace lintel::common {
namespace {

using Clock = std::chrono::steady_clock;

std::unexpected<LineIoError> failure(LineIoError::Kind kind, std::size_t bytes,
                                     const char* operation = "", int error_number = 0) {
    return std::unexpected(LineIoError{kind, bytes, operation, error_number});
}

// Waits for `events` until `deadline`: true when ready, false when the deadline passed, an
// errno when poll failed.
std::expected<bool, int> wait_ready(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left));
        if (n > 0) return true;
        if (n == 0) continue;  // re-check the clock; poll may wake a little early
        if (errno == EINTR) continue;
        return std::unexpected(errno);
    }
}

}  // namespace

std::expected<std::string, LineIoError> read_line(int fd, std::chrono::milliseconds timeout,
                                                  std::size_t max_bytes) {
    const auto deadline = Clock::now() + timeout;
    std::string line;
    char buffer[4096];
    for (;;) {
        // Checked on every pass, not only when idle: a peer trickling a byte at a time must
        // not stretch the deadline.
        if (Clock::now() >= deadline) return failure(LineIoError::Kind::timeout, line.size());
        // Never read past max_bytes + 1: that one byte more is enough to know it is too long.
        const std::size_t want = std::min(sizeof buffer, max_bytes + 1 - line.size());
        const ssize_t got = ::recv(fd, buffer, want, 0);
        if (got > 0) {
            const std::string_view chunk(buffer, static_cast<std::size_t>(got));
            if (auto nl = chunk.find('\n'); nl != std::string_view::npos) {
                line.append(chunk.substr(0, nl));
                if (line.size() > max_bytes) break;
                return line;
            }
            line.append(chunk);
            if (line.size() > max_bytes) break;
            continue;
        }
        if (got == 0) return failure(LineIoError::Kind::closed, line.size());
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return failure(LineIoError::Kind::io, line.size(), "recv", errno);
        }
        auto ready = wait_ready(fd, POLLIN, deadline);
        if (!ready) return failure(LineIoError::Kind::io, line.size(), "poll", ready.error());
        if (!*ready) return failure(LineIoError::Kind::timeout, line.size());
    }
    return failure(LineIoError::Kind::too_large, line.size());
}

std::expected<void, LineIoError> write_all(int fd, std::string_view data,
                                           std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return failure(LineIoError::Kind::io, data.size(), "send", errno);
        }
        auto ready = wait_ready(fd, POLLOUT, deadline);
        if (!ready) return failure(LineIoError::Kind::io, data.size(), "poll", ready.error());
        if (!*ready) return failure(LineIoError::Kind::timeout, data.size());
    }
    return {};
}

}  // namespace lintel::common
