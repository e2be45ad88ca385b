// A device's `report:` key: when a value is worth sending (report by exception).
// Keys and rules: docs/configuration.md#report-by-exception.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace lintel::core {

// One level of settings (the device, or one point). Unset fields fall back to the device's.
struct ReportBand {
    std::optional<double> deadband;          // absolute
    std::optional<double> deadband_percent;  // of the last reported value
    std::optional<std::chrono::milliseconds> heartbeat;

    bool operator==(const ReportBand&) const = default;
};

struct ReportSettings {
    ReportBand device;
    std::map<std::string, ReportBand, std::less<>> points;  // by point name

    // The settings that apply to one point: a point's deadband or deadband_percent replaces
    // the device's band as a whole; its heartbeat replaces the device's heartbeat.
    ReportBand for_point(std::string_view point) const {
        ReportBand out = device;
        auto it = points.find(point);
        if (it == points.end()) return out;
        if (it->second.deadband || it->second.deadband_percent) {
            out.deadband = it->second.deadband;
            out.deadband_percent = it->second.deadband_percent;
        }
        if (it->second.heartbeat) out.heartbeat = it->second.heartbeat;
        return out;
    }

    bool operator==(const ReportSettings&) const = default;
};

}  // namespace lintel::core
