// ProgressGate: the rate limit of progress reports.
#include "ota/download_progress.hpp"

namespace lintel::ota {

ProgressGate::ProgressGate(ProgressPolicy policy, std::uint64_t total)
    : policy_(policy), total_(total) {}

bool ProgressGate::due(std::uint64_t bytes, Clock::time_point now) {
    bool report = false;
    if (!started_) {
        report = true;
    } else if (bytes >= total_) {
        report = !finished_;
    } else if (bytes != last_bytes_ && now - last_time_ >= policy_.min_interval) {
        // A restart from 0 (the server ignored Range) moves backwards: that is news too.
        const std::uint64_t moved = bytes > last_bytes_ ? bytes - last_bytes_ : last_bytes_ - bytes;
        // Multiplying instead of dividing keeps small files and 1 % steps exact.
        const auto advanced = static_cast<long double>(moved) * 100.0L;
        const bool step = advanced >= static_cast<long double>(policy_.step_percent) *
                                          static_cast<long double>(total_);
        report = step || now - last_time_ >= policy_.interval;
    }
    if (!report) return false;
    started_ = true;
    if (bytes >= total_) finished_ = true;
    last_bytes_ = bytes;
    last_time_ = now;
    return true;
}

}  // namespace lintel::ota
