// Report by exception: the per-point comparison against the last reported value.
#include "core/report_filter.hpp"

#include <cmath>
#include <optional>

namespace lintel::core {
namespace {

// bool is not numeric here: true/false changes are always reported.
std::optional<double> numeric(const sdk::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
}

}  // namespace

bool exceeds_band(const sdk::Value& before, const sdk::Value& now, const ReportBand& band) {
    const auto a = numeric(before);
    const auto b = numeric(now);
    if (!a || !b) return before != now;  // strings, bools, or a type change
    if (std::isnan(*a) || std::isnan(*b)) return std::isnan(*a) != std::isnan(*b);
    if (!band.deadband && !band.deadband_percent) return before != now;  // exact: any change
    const double limit =
        band.deadband_percent ? std::abs(*a) * *band.deadband_percent / 100.0 : *band.deadband;
    // "More than the deadband": a change of exactly the deadband is still suppressed. An
    // infinite step (a sensor fault) is always reported.
    const double diff = std::abs(*b - *a);
    return std::isinf(diff) || diff > limit;
}

bool ReportFilter::admit(const sdk::PointValue& v, Clock::time_point now) {
    auto it = last_.find(v.point);
    if (it == last_.end()) {
        last_.emplace(v.point, Last{v.value, v.quality, v.unit, now});
        return true;
    }
    Last& last = it->second;
    const ReportBand band = settings_.for_point(v.point);
    const bool due = band.heartbeat && now - last.at >= *band.heartbeat;
    if (due || v.quality != last.quality || v.unit != last.unit ||
        exceeds_band(last.value, v.value, band)) {
        last = Last{v.value, v.quality, v.unit, now};
        return true;
    }
    ++suppressed_;
    return false;
}

std::vector<std::string> ReportFilter::unseen_points() const {
    std::vector<std::string> out;
    for (const auto& [name, band] : settings_.points) {
        if (!last_.contains(name)) out.push_back(name);
    }
    return out;
}

}  // namespace lintel::core
