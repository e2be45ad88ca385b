// Deadline-bound line reading and response writing on a non-blocking socket.
#include "helper/request_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `events` until `deadline`: true when ready, false when the deadline passed.
Expected<bool> wait_ready(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left));
        if (n > 0) return true;
        if (n == 0) continue;  // re-check the clock; poll may wake a little early
        if (errno == EINTR) continue;
        return make_error(std::string(codes::internal),
                          std::string("poll on the connection: ") + std::strerror(errno));
    }
}

}  // namespace

Expected<std::string> read_request_line(int fd, std::chrono::milliseconds timeout,
                                        std::size_t max_bytes) {
    const auto deadline = Clock::now() + timeout;
    std::string line;
    char buffer[4096];
    auto timed_out = [&] {
        return make_error(std::string(codes::timeout),
                          "no complete request line within " + std::to_string(timeout.count()) +
                              " ms (got " + std::to_string(line.size()) + " bytes)");
    };
    for (;;) {
        // Checked on every pass, not only when idle: a peer trickling a byte at a time must
        // not stretch the deadline.
        if (Clock::now() >= deadline) return timed_out();
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
        if (got == 0) {
            return make_error(std::string(codes::malformed),
                              line.empty() ? "connection closed before a request was sent"
                                           : "request ended without a newline");
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return make_error(std::string(codes::internal),
                              std::string("reading the request: ") + std::strerror(errno));
        }
        auto ready = wait_ready(fd, POLLIN, deadline);
        if (!ready) return std::unexpected(ready.error());
        if (!*ready) return timed_out();
    }
    return make_error(std::string(codes::too_large),
                      "request line is longer than " + std::to_string(max_bytes) + " bytes");
}

Expected<void> write_response(int fd, std::string_view data, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return make_error(std::string(codes::internal),
                              std::string("sending the response: ") + std::strerror(errno));
        }
        auto ready = wait_ready(fd, POLLOUT, deadline);
        if (!ready) return std::unexpected(ready.error());
        if (!*ready) {
            return make_error(std::string(codes::timeout),
                              "the peer did not take the response within " +
                                  std::to_string(timeout.count()) + " ms");
        }
    }
    return {};
}

}  // namespace lintel::helper
