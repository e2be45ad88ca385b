// Reading the one request line and writing the response, each under a deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::helper {

// Reads up to the first '\n' within `timeout` (for the whole line, so a slow trickle cannot
// hold the helper). Returns the line without the '\n'; bytes after it are ignored (one request
// per connection). Errors: helper.timeout, helper.too_large (more than `max_bytes` before the
// newline; reading stops there), helper.malformed (the peer closed before a newline).
// `fd` must be non-blocking.
Expected<std::string> read_request_line(int fd, std::chrono::milliseconds timeout,
                                        std::size_t max_bytes);

// Writes all of `data` within `timeout` (no SIGPIPE). Errors name what failed.
// `fd` must be non-blocking.
Expected<void> write_response(int fd, std::string_view data, std::chrono::milliseconds timeout);

}  // namespace lintel::helper
