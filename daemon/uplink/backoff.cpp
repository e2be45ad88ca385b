// Exponential backoff with full jitter.
#include "uplink/backoff.hpp"

#include <algorithm>

namespace lintel::uplink {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      rng_(seed) {}

std::chrono::milliseconds Backoff::ceiling() const {
    // Doubling stops at max, so it never overflows however many attempts were made.
    auto c = initial_;
    for (unsigned i = 0; i < attempts_ && c < max_; ++i) c *= 2;
    return std::min(c, max_);
}

std::chrono::milliseconds Backoff::next() {
    const auto c = ceiling();
    std::uniform_int_distribution<std::chrono::milliseconds::rep> dist(0, c.count());
    ++attempts_;
    return std::chrono::milliseconds(dist(rng_));
}

}  // namespace lintel::uplink
