// BACnet device reads: the poll cycle (present-value and status-flags of every object not served
// by COV, through the batch reader), units at start, values and quality published, health.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <algorithm>
#include <map>

#include "device_session.hpp"
#include "lintel/config_reader.hpp"
#include "point_value.hpp"

namespace lintel::bacnet {
namespace {

using sdk::Health;
using sdk::Quality;

}  // namespace

void DeviceSession::take_values(std::size_t point, const Expected<Values>& values, Quality quality,
                                std::int64_t ts, std::vector<sdk::PointValue>& out) {
    PointState& s = points_[point];
    Expected<sdk::Value> v = values ? telemetry_value(config_.points[point], *values)
                                    : Expected<sdk::Value>(std::unexpected(values.error()));
    if (v) {
        s.value = std::move(*v);
        s.failing.reset();
        out.push_back(point_value(point, quality, ts));
    } else {
        s.failing = v.error().message;
        out.push_back(point_value(point, Quality::error, ts));
    }
}

void DeviceSession::log_point_changes(const std::vector<std::size_t>& changed) {
    if (stopped_ || changed.empty()) return;
    std::map<std::string, std::vector<std::size_t>> failing;
    std::vector<std::size_t> recovered;
    for (std::size_t i : changed) {
        if (points_[i].failing) {
            failing[*points_[i].failing].push_back(i);
        } else {
            recovered.push_back(i);
        }
    }
    auto names = [&](const std::vector<std::size_t>& list) {
        std::string s;
        for (std::size_t k = 0; k < list.size() && k < 5; ++k) {
            s += (k == 0 ? "" : ", ") + config_.points[list[k]].name;
        }
        if (list.size() > 5) s += ", ...";
        return s;
    };
    for (const auto& [why, list] : failing) {
        host_.log().warning(std::to_string(list.size()) + " point(s) of " + config_.describe() +
                                " cannot be read (" + names(list) + "): " + why +
                                "; published with quality=error, retried every poll",
                            {{"POINT", config_.points[list.front()].name}});
    }
    if (!recovered.empty()) {
        host_.log().info(std::to_string(recovered.size()) + " point(s) of " + config_.describe() +
                         " read again (" + names(recovered) + ")");
    }
}

asio::awaitable<bool> DeviceSession::poll_cycle() {
    const auto now = Clock::now();
    std::vector<ReadAccessSpec> specs;
    std::vector<std::size_t> spec_object;
    for (std::size_t oi = 0; oi < objects_.size(); ++oi) {
        ObjectState& o = objects_[oi];
        const bool by_cov = o.cov_wanted && !object_polled(o, now);
        ReadAccessSpec spec{o.id, {}};
        bool present_value = false;
        for (std::size_t pi : o.points) {
            const PointConfig& p = config_.points[pi];
            if (by_cov && p.cov) continue;
            if (std::find(spec.properties.begin(), spec.properties.end(), p.ref) ==
                spec.properties.end()) {
                spec.properties.push_back(p.ref);
            }
            present_value = present_value || p.is_present_value();
        }
        if (present_value && config_.status_flags && object_kind(o.id.type) != ObjectKind::other) {
            spec.properties.push_back({PropertyId::status_flags, std::nullopt});
        }
        if (spec.properties.empty()) continue;
        specs.push_back(std::move(spec));
        spec_object.push_back(oi);
    }
    polled_last_cycle_ = specs.size();
    if (specs.empty()) {
        requests_last_cycle_ = 0;
        refresh_health();
        co_return true;
    }
    reader_->set_max_apdu(max_apdu());
    auto outcome = co_await reader_->read(specs);
    if (stopped_) co_return true;
    requests_last_cycle_ = outcome.requests;
    if (!outcome.answered) {
        last_down_reason_ =
            "no answer to any of " + std::to_string(outcome.requests) + " read request(s)" +
            (outcome.first_failure ? ": " + outcome.first_failure->message : std::string());
        co_return false;
    }

    const std::int64_t ts = sdk::now_unix_ms();
    std::vector<sdk::PointValue> values;
    std::vector<std::size_t> changed;
    for (std::size_t si = 0; si < specs.size(); ++si) {
        ObjectState& o = objects_[spec_object[si]];
        const auto& props = specs[si].properties;
        auto flags = std::find(props.begin(), props.end(),
                               PropertyRef{PropertyId::status_flags, std::nullopt});
        if (flags != props.end()) {
            const auto& got = outcome.values[si][static_cast<std::size_t>(flags - props.begin())];
            // Without readable flags the value's quality rests on the value alone.
            o.status_flags = got ? status_flags_of(*got) : std::nullopt;
        }
        for (std::size_t pi : o.points) {
            const PointConfig& p = config_.points[pi];
            auto at = std::find(props.begin(), props.end(), p.ref);
            if (at == props.end()) continue;  // served by COV
            const auto before = points_[pi].failing;
            take_values(pi, outcome.values[si][static_cast<std::size_t>(at - props.begin())],
                        p.is_present_value() ? quality_of(o.status_flags) : Quality::good, ts,
                        values);
            if (points_[pi].failing != before) changed.push_back(pi);
        }
    }
    publish(std::move(values));
    log_point_changes(changed);
    refresh_health();
    co_return true;
}

void DeviceSession::refresh_health() {
    if (stopped_ || !bound_) return;
    std::size_t failing = 0;
    std::string first;
    for (std::size_t i = 0; i < points_.size(); ++i) {
        if (!points_[i].failing) continue;
        if (failing++ == 0) first = config_.points[i].name + ": " + *points_[i].failing;
    }
    if (failing > 0) {
        set_health(Health::degraded, std::to_string(failing) + " of " +
                                         std::to_string(points_.size()) +
                                         " points cannot be read, first " + first);
        return;
    }
    const auto now = Clock::now();
    std::size_t by_cov = 0;
    for (const ObjectState& o : objects_) {
        if (o.cov_wanted && !object_polled(o, now)) by_cov += o.points.size();
    }
    std::string detail = std::to_string(points_.size()) + " points";
    if (by_cov > 0) detail += ", " + std::to_string(by_cov) + " by COV";
    if (polled_last_cycle_ > 0) {
        detail += ", " + std::to_string(polled_last_cycle_) + " object(s) polled in " +
                  std::to_string(requests_last_cycle_) + " request(s) every " +
                  sdk::format_duration(config_.poll_interval) +
                  (reader_->rpm() == BatchReader::Rpm::no ? " (no ReadPropertyMultiple)" : "");
    }
    set_health(Health::ok, detail);
}

asio::awaitable<void> DeviceSession::read_units() {
    std::vector<ReadAccessSpec> specs;
    for (const ObjectState& o : objects_) {
        const bool wanted = std::any_of(o.points.begin(), o.points.end(),
                                        [&](std::size_t i) { return !points_[i].unit_known; });
        if (wanted) specs.push_back({o.id, {PropertyRef{PropertyId::units, std::nullopt}}});
    }
    if (specs.empty()) {
        units_pending_ = false;
        co_return;
    }
    reader_->set_max_apdu(max_apdu());
    auto outcome = co_await reader_->read(specs);
    if (stopped_ || !outcome.answered) co_return;  // tried again next round
    for (std::size_t si = 0; si < specs.size(); ++si) {
        const auto& got = outcome.values[si][0];
        std::string unit;
        if (got && got->size() == 1) {
            if (auto u = as_int64(got->front()); u && *u >= 0) {
                unit = unit_text(static_cast<std::uint32_t>(*u));
            }
        } else if (!got) {
            host_.log().debug("no units for " + object_id_text(specs[si].object) + " (" +
                              got.error().message + "); its points are published without");
        }
        for (const ObjectState& o : objects_) {
            if (o.id != specs[si].object) continue;
            for (std::size_t i : o.points) {
                if (points_[i].unit_known) continue;
                points_[i].unit = unit;
                points_[i].unit_known = true;
            }
        }
    }
    units_pending_ = false;
}

}  // namespace lintel::bacnet
