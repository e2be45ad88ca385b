// Exponential backoff between attempts to reach a device or a unit on a bus: starts at the
// smaller of 1s and the maximum, doubles after each failed attempt, resets after a success.
#pragma once

#include <algorithm>
#include <chrono>

namespace lintel::modbus {

class Backoff {
public:
    static constexpr std::chrono::milliseconds k_initial{1000};

    explicit Backoff(std::chrono::milliseconds max) : max_(max), next_(std::min(k_initial, max)) {}

    // The wait before the next attempt; the one after it is twice as long, up to the maximum.
    std::chrono::milliseconds next() {
        const auto wait = next_;
        next_ = std::min(next_ * 2, max_);
        return wait;
    }
    void reset() { next_ = std::min(k_initial, max_); }

private:
    std::chrono::milliseconds max_;
    std::chrono::milliseconds next_;
};

}  // namespace lintel::modbus
