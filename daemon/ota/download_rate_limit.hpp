// The bandwidth limit: a token bucket that says how many bytes may be read now, or how long to
// wait.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace lintel::ota {

// Starts empty, so that from the first byte on the bytes taken never exceed rate × elapsed time
// (plus nothing): a test can assert "took at least size / rate". Holds at most an eighth of a
// second's worth (at least 4 KiB), so an idle moment is not followed by a burst on a 4G link.
// Pure: the caller passes the time, so tests need no clock.
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    // rate 0: unlimited (available() always grants `want`).
    TokenBucket(std::uint64_t bytes_per_second, Clock::time_point now);

    // How many bytes (at most `want`) may be taken now; 0 means wait_time() first.
    std::size_t available(Clock::time_point now, std::size_t want);
    // Records bytes taken (may be fewer than granted).
    void consume(std::size_t bytes);
    // How long until at least min(want, capacity) bytes are available.
    Clock::duration wait_time(Clock::time_point now, std::size_t want);

    std::uint64_t rate() const { return rate_; }
    std::size_t capacity() const { return capacity_; }

private:
    void refill(Clock::time_point now);

    std::uint64_t rate_;
    std::size_t capacity_;
    double tokens_ = 0;
    Clock::time_point last_;
};

}  // namespace lintel::ota
