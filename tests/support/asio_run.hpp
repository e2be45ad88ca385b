// Test support: run an io_context on the test thread until a condition holds, under a deadline.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "lintel/asio.hpp"

namespace lintel::test {

namespace detail {
// One slice of the loop; sleeps briefly when the loop had no work so callers do not spin.
inline void run_slice(asio::io_context& io, std::chrono::steady_clock::time_point until) {
    if (io.stopped()) io.restart();
    if (io.run_until(until) == 0 && io.stopped()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}
}  // namespace detail

// Runs `io` in slices until `predicate()` holds (true) or `timeout` passed (false).
// The predicate runs on the test thread between slices, so it may read loop state without locks.
inline bool run_until(asio::io_context& io, const std::function<bool()>& predicate,
                      std::chrono::milliseconds timeout,
                      std::chrono::milliseconds slice = std::chrono::milliseconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (predicate()) return true;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return predicate();
        detail::run_slice(io, std::min(deadline, now + slice));
    }
}

// Runs `io` for `duration` (to observe that something does *not* happen).
inline void run_for(asio::io_context& io, std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) detail::run_slice(io, deadline);
}

}  // namespace lintel::test
