// Report by exception: decides per value whether it goes to the store or is suppressed as
// "nothing new" (within the deadband, same quality, heartbeat not yet due), and counts those.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/report_settings.hpp"
#include "lintel/point.hpp"

namespace lintel::core {

class ReportFilter {
public:
    using Clock = std::chrono::steady_clock;

    explicit ReportFilter(ReportSettings settings) : settings_(std::move(settings)) {}

    // True: report `v` (it becomes the point's last reported value). False: suppressed.
    // `now` is injected so that heartbeats are testable without waiting.
    bool admit(const sdk::PointValue& v, Clock::time_point now);

    std::uint64_t suppressed() const { return suppressed_; }
    // Points named in report.points that never came from the device (likely a typo).
    std::vector<std::string> unseen_points() const;

private:
    struct Last {
        sdk::Value value;
        sdk::Quality quality;
        std::string unit;
        Clock::time_point at;
    };

    ReportSettings settings_;
    std::map<std::string, Last, std::less<>> last_;
    std::uint64_t suppressed_ = 0;
};

// Whether `now` differs from `before` enough to report under `band` (exposed for tests).
bool exceeds_band(const sdk::Value& before, const sdk::Value& now, const ReportBand& band);

}  // namespace lintel::core
