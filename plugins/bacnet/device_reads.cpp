// BACnet device reads: the poll cycle (present-value and status-flags of every object not served
// by COV, batched into ReadPropertyMultiple within the device's max APDU, or ReadProperty one by
// one for devices without it), units at start, values and quality published, health.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <algorithm>
#include <map>

#include "device_session.hpp"
#include "lintel/config_reader.hpp"
#include "point_value.hpp"
#include "read_plan.hpp"

namespace lintel::bacnet {
namespace {

using sdk::Health;
using sdk::Quality;

// The device does not implement ReadPropertyMultiple (Reject unrecognized-service, or an Error
// of class services, as some answer instead).
bool refuses_rpm(const Error& e) {
    return e.code == "bacnet.reject.unrecognized_service" ||
           e.code.starts_with("bacnet.error.services.");
}

// The answer would not fit one APDU: ask for less per request.
bool too_long(const Error& e) {
    return e.code == "bacnet.abort.segmentation_not_supported" ||
           e.code == "bacnet.abort.buffer_overflow" || e.code == "bacnet.reject.buffer_overflow" ||
           e.code == "bacnet.abort.apdu_too_long";
}

// No answer at all (as opposed to an answer that refuses).
bool unanswered(const Error& e) {
    return e.code == "bacnet.timeout" || e.code == "bacnet.send" ||
           e.code == "bacnet.not_connected" || e.code == "bacnet.busy";
}

Expected<Values> not_read() {
    return make_error("bacnet.not_read", "not read (the device was stopped)");
}

}  // namespace

asio::awaitable<void> DeviceSession::read_with_rpm(const std::vector<ReadAccessSpec>& specs,
                                                   ReadOutcome& out) {
    std::vector<std::size_t> pending(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) pending[i] = i;
    while (!pending.empty() && !stopped_ && rpm_ != RpmSupport::no) {
        std::vector<ReadAccessSpec> subset;
        for (std::size_t i : pending) subset.push_back(specs[i]);
        auto batches = plan_batches(subset, BatchLimits{max_apdu(), max_specs_});
        std::vector<std::size_t> later;
        if (rpm_ == RpmSupport::unknown && batches.size() > 1) {
            // Until the device has answered one, a single ReadPropertyMultiple asks whether it
            // knows the service at all.
            for (std::size_t b = 1; b < batches.size(); ++b) {
                for (std::size_t k : batches[b]) later.push_back(pending[k]);
            }
            batches.resize(1);
        }
        std::vector<ApduBuilder> builds;
        for (const auto& b : batches) {
            std::vector<ReadAccessSpec> chosen;
            for (std::size_t k : b) chosen.push_back(subset[k]);
            builds.push_back(read_property_multiple(std::move(chosen)));
        }
        out.requests += builds.size();
        auto answers = co_await channel_->call_all(std::move(builds));
        if (stopped_) co_return;
        std::vector<std::size_t> again = std::move(later);
        for (std::size_t bi = 0; bi < batches.size(); ++bi) {
            const auto& batch = batches[bi];
            Expected<std::vector<ReadAccessResult>> acks =
                answers[bi]
                    ? decode_read_property_multiple_ack(answers[bi]->apdu)
                    : Expected<std::vector<ReadAccessResult>>(std::unexpected(answers[bi].error()));
            if (answers[bi] || !unanswered(answers[bi].error())) out.answered = true;
            if (!acks) {
                const Error& e = acks.error();
                if (refuses_rpm(e) && rpm_ == RpmSupport::unknown) {
                    rpm_ = RpmSupport::no;
                    host_.log().info(config_.describe() +
                                     " does not support "
                                     "ReadPropertyMultiple (" +
                                     e.message + "); reading one property per request from now on");
                    co_return;  // the caller reads everything one by one
                }
                if (too_long(e) && batch.size() > 1) {
                    max_specs_ = std::max<std::size_t>(1, batch.size() / 2);
                    if (!too_long_logged_) {
                        too_long_logged_ = true;
                        host_.log().info(config_.describe() + " cannot answer " +
                                         std::to_string(batch.size()) + " objects in one APDU (" +
                                         e.message + "); asking for at most " +
                                         std::to_string(max_specs_) + " per request");
                    }
                    for (std::size_t k : batch) again.push_back(pending[k]);
                    continue;
                }
                if (!out.first_failure) out.first_failure = e;
                for (std::size_t k : batch) {
                    for (auto& v : out.values[pending[k]]) v = std::unexpected(e);
                }
                continue;
            }
            rpm_ = RpmSupport::yes;
            for (std::size_t k : batch) {
                const std::size_t si = pending[k];
                const ReadAccessSpec& spec = specs[si];
                auto result = std::find_if(
                    acks->begin(), acks->end(),
                    [&](const ReadAccessResult& r) { return r.object == spec.object; });
                for (std::size_t pi = 0; pi < spec.properties.size(); ++pi) {
                    Expected<Values>& slot = out.values[si][pi];
                    if (result == acks->end()) {
                        slot = make_error("bacnet.malformed",
                                          "the answer left out " + object_id_text(spec.object));
                        continue;
                    }
                    auto pr = std::find_if(
                        result->results.begin(), result->results.end(),
                        [&](const PropertyResult& r) { return r.ref == spec.properties[pi]; });
                    slot = pr == result->results.end()
                               ? Expected<Values>(make_error(
                                     "bacnet.malformed",
                                     "the answer left out " + object_id_text(spec.object) + " " +
                                         property_name(spec.properties[pi].property)))
                               : values_of(*pr);
                }
            }
        }
        pending = std::move(again);
    }
}

asio::awaitable<void> DeviceSession::read_one_by_one(const std::vector<ReadAccessSpec>& specs,
                                                     ReadOutcome& out) {
    std::vector<ApduBuilder> builds;
    std::vector<std::pair<std::size_t, std::size_t>> where;
    for (std::size_t si = 0; si < specs.size(); ++si) {
        for (std::size_t pi = 0; pi < specs[si].properties.size(); ++pi) {
            builds.push_back(read_property({specs[si].object, specs[si].properties[pi]}));
            where.emplace_back(si, pi);
        }
    }
    out.requests += builds.size();
    auto answers = co_await channel_->call_all(std::move(builds));
    if (stopped_) co_return;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        auto& slot = out.values[where[i].first][where[i].second];
        if (!answers[i]) {
            if (!unanswered(answers[i].error())) out.answered = true;
            if (!out.first_failure) out.first_failure = answers[i].error();
            slot = std::unexpected(answers[i].error());
            continue;
        }
        out.answered = true;
        auto ack = decode_read_property_ack(answers[i]->apdu);
        slot = ack ? Expected<Values>(std::move(ack->values))
                   : Expected<Values>(std::unexpected(ack.error()));
    }
}

asio::awaitable<DeviceSession::ReadOutcome> DeviceSession::read_specs(
    const std::vector<ReadAccessSpec>& specs) {
    ReadOutcome out;
    for (const auto& s : specs) out.values.emplace_back(s.properties.size(), not_read());
    if (rpm_ != RpmSupport::no) co_await read_with_rpm(specs, out);
    if (rpm_ == RpmSupport::no && !stopped_) co_await read_one_by_one(specs, out);
    co_return out;
}

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
    auto outcome = co_await read_specs(specs);
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
                  (rpm_ == RpmSupport::no ? " (no ReadPropertyMultiple)" : "");
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
    auto outcome = co_await read_specs(specs);
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
