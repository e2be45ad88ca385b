// Reconnect delays: exponential backoff with full jitter, capped.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace lintel::uplink {

// Attempt n waits a uniformly random delay in [0, min(max, initial * 2^n)] ("full jitter"): a
// fleet of gateways that lost the same broker does not come back in lockstep.
class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
            std::uint64_t seed = std::random_device{}());

    // The upper bound for the next delay.
    std::chrono::milliseconds ceiling() const;
    // A delay for the next attempt; counts the attempt.
    std::chrono::milliseconds next();
    // After a connection that stayed up: start again from `initial`.
    void reset() { attempts_ = 0; }
    unsigned attempts() const { return attempts_; }

private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds max_;
    unsigned attempts_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace lintel::uplink
