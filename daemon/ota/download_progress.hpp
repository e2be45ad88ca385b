// When a download's progress is worth reporting: every few percent or every so often, never
// more than once per minimum interval, so a long download over 4G sends a few dozen messages.
#pragma once

#include <chrono>
#include <cstdint>

namespace lintel::ota {

struct ProgressPolicy {
    unsigned step_percent = 5;                   // a report after each 5 % of the artifact
    std::chrono::milliseconds interval{30'000};  // or after 30 s with any progress
    std::chrono::milliseconds min_interval{
        1'000};  // but never two within 1 s (the last one excepted)
};

// At most 2 + 100 / step_percent + elapsed / interval reports, and at most 2 + elapsed /
// min_interval: the first (where the download starts, e.g. a resume offset) and the last (all
// bytes) are always reported. Pure: the caller passes the time.
class ProgressGate {
public:
    using Clock = std::chrono::steady_clock;

    ProgressGate(ProgressPolicy policy, std::uint64_t total);
    // True if `bytes` should be reported now (then it counts as reported).
    bool due(std::uint64_t bytes, Clock::time_point now);

private:
    ProgressPolicy policy_;
    std::uint64_t total_;
    bool started_ = false;
    bool finished_ = false;
    std::uint64_t last_bytes_ = 0;
    Clock::time_point last_time_{};
};

}  // namespace lintel::ota
