// One newline-terminated line in, one block of bytes out, each under a deadline, on a
// non-blocking stream socket. The callers (helper, lintelctl) phrase the errors for their peer.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace lintel::common {

struct LineIoError {
    enum class Kind {
        timeout,    // the deadline passed
        too_large,  // more than max_bytes before the newline (reading stopped there)
        closed,     // the peer closed before the newline (bytes: how many came first)
        io,         // a system call failed: `operation` and `error_number`
    };
    Kind kind = Kind::io;
    std::size_t bytes = 0;       // bytes read (or still unsent) when it happened
    const char* operation = "";  // "poll", "recv", "send"
    int error_number = 0;        // errno of the failed call
};

// Reads up to the first '\n' within `timeout` (for the whole line, so a slow trickle cannot
// stretch it). Returns the line without the '\n'; bytes after it are left unread or dropped.
std::expected<std::string, LineIoError> read_line(int fd, std::chrono::milliseconds timeout,
                                                  std::size_t max_bytes);

// Writes all of `data` within `timeout`; no SIGPIPE.
std::expected<void, LineIoError> write_all(int fd, std::string_view data,
                                           std::chrono::milliseconds timeout);

}  // namespace lintel::common
