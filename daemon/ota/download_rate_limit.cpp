// TokenBucket (see the header for why it starts empty and holds little).
#include "ota/download_rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace lintel::ota {

namespace {
constexpr std::size_t k_min_capacity = 4096;
}

TokenBucket::TokenBucket(std::uint64_t bytes_per_second, Clock::time_point now)
    : rate_(bytes_per_second),
      capacity_(std::max<std::size_t>(k_min_capacity, static_cast<std::size_t>(rate_ / 8))),
      last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
    if (now <= last_) return;
    const double seconds = std::chrono::duration<double>(now - last_).count();
    tokens_ =
        std::min(static_cast<double>(capacity_), tokens_ + seconds * static_cast<double>(rate_));
    last_ = now;
}

std::size_t TokenBucket::available(Clock::time_point now, std::size_t want) {
    if (rate_ == 0) return want;
    refill(now);
    const auto whole = static_cast<std::size_t>(std::floor(tokens_));
    return std::min(want, whole);
}

void TokenBucket::consume(std::size_t bytes) {
    if (rate_ == 0) return;
    tokens_ -= static_cast<double>(bytes);
}

TokenBucket::Clock::duration TokenBucket::wait_time(Clock::time_point now, std::size_t want) {
    if (rate_ == 0) return Clock::duration::zero();
    refill(now);
    const double needed = static_cast<double>(std::min(std::max<std::size_t>(want, 1), capacity_));
    if (tokens_ >= needed) return Clock::duration::zero();
    const double seconds = (needed - tokens_) / static_cast<double>(rate_);
    return std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace lintel::ota
