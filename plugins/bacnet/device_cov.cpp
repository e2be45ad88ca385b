// BACnet device COV: SubscribeCOV per object (renewed at 2/3 of the lifetime, retried, refused
// objects polled instead), notifications published, objects whose notifications do not come
// polled until they do, subscriptions cancelled on stop.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <algorithm>

#include "device_session.hpp"
#include "lintel/config_reader.hpp"
#include "point_value.hpp"

namespace lintel::bacnet {
namespace {

std::string seconds_text(std::chrono::milliseconds d) { return sdk::format_duration(d); }

}  // namespace

bool DeviceSession::object_polled(const ObjectState& o, Clock::time_point now) const {
    return !o.cov_wanted || o.cov.needs_polling(now);
}

std::optional<Clock::time_point> DeviceSession::next_cov_event() const {
    std::optional<Clock::time_point> next;
    for (const ObjectState& o : objects_) {
        if (!o.cov_wanted) continue;
        if (auto t = o.cov.next_event(); t && (!next || *t < *next)) next = t;
    }
    return next;
}

void DeviceSession::forget_subscriptions() {
    for (ObjectState& o : objects_) {
        o.cov.forget();
        o.cov_polling_logged = false;
    }
}

void DeviceSession::cancel_subscriptions() {
    if (!channel_ || !channel_->peer()) return;
    for (const ObjectState& o : objects_) {
        if (!o.cov_wanted || o.cov.state() != CovSubscription::State::active) continue;
        network_->send_and_forget(*channel_->peer(),
                                  subscribe_cov(SubscribeCovRequest{process_id_, o.id, {}, {}}));
    }
}

asio::awaitable<bool> DeviceSession::maintain_cov() {
    auto now = Clock::now();
    std::vector<std::size_t> due;
    for (std::size_t i = 0; i < objects_.size(); ++i) {
        ObjectState& o = objects_[i];
        if (!o.cov_wanted) continue;
        if (o.cov.silent(now) && !o.cov_polling_logged) {
            o.cov_polling_logged = true;
            next_poll_ = now;  // its values must not wait for the next cycle
            host_.log().info("no COV notification for " + object_id_text(o.id) + " from " +
                             config_.describe() + " within " + seconds_text(config_.timeout) +
                             " of subscribing; polling it until notifications arrive");
        }
        if (o.cov.subscribe_due(now)) due.push_back(i);
    }
    if (due.empty()) co_return true;
    std::vector<ApduBuilder> builds;
    for (std::size_t i : due) {
        builds.push_back(subscribe_cov(
            SubscribeCovRequest{process_id_, objects_[i].id, config_.cov_confirmed,
                                static_cast<std::uint32_t>(config_.cov_lifetime.count())}));
    }
    const auto asked = Clock::now();
    auto answers = co_await channel_->call_all(std::move(builds));
    if (stopped_) co_return true;
    now = Clock::now();
    bool answered = false;
    std::optional<Error> first;
    for (std::size_t k = 0; k < due.size(); ++k) {
        ObjectState& o = objects_[due[k]];
        const auto before = o.cov.state();
        Expected<void> r = answers[k] ? decode_subscribe_cov_ack(answers[k]->apdu)
                                      : Expected<void>(std::unexpected(answers[k].error()));
        if (r) {
            answered = true;
            o.cov.subscribed(asked, now);
            if (before == CovSubscription::State::refused ||
                before == CovSubscription::State::failed) {
                host_.log().info("COV subscription for " + object_id_text(o.id) + " of " +
                                 config_.describe() + " works again; it is no longer polled");
            }
            continue;
        }
        if (!first) first = r.error();
        next_poll_ = now;  // poll the object now rather than leave a gap
        if (unanswered(r.error())) {
            o.cov.failed(now);
            if (before == CovSubscription::State::active) {
                host_.log().warning("renewing the COV subscription for " + object_id_text(o.id) +
                                    " of " + config_.describe() + " failed: " + r.error().message +
                                    "; polling it until a renewal works");
            }
            continue;
        }
        answered = true;
        o.cov.refused(now);
        if (before != CovSubscription::State::refused) {
            host_.log().info(config_.describe() + " refused COV for " + object_id_text(o.id) +
                             " (" + r.error().message + "); polling it every " +
                             seconds_text(config_.poll_interval) + ", asking again in " +
                             seconds_text(config_.cov_lifetime));
        }
    }
    if (!answered) {
        last_down_reason_ =
            "no answer to SubscribeCOV" + (first ? ": " + first->message : std::string());
        co_return false;
    }
    refresh_health();
    co_return true;
}

void DeviceSession::on_notification(const CovNotification& n, const Peer& from) {
    if (stopped_ || !bound_) return;
    if (channel_->peer() && from.ip != channel_->peer()->ip) {
        host_.log().debug("COV notification for " + object_id_text(n.monitored_object) + " from " +
                          to_string(from) + ", not from the device; ignored");
        return;
    }
    auto o = std::find_if(objects_.begin(), objects_.end(),
                          [&](const ObjectState& s) { return s.id == n.monitored_object; });
    if (o == objects_.end() || !o->cov_wanted) return;
    o->cov.notified(Clock::now());
    if (o->cov_polling_logged) {
        o->cov_polling_logged = false;
        host_.log().info("COV notifications for " + object_id_text(o->id) + " of " +
                         config_.describe() + " arrive; it is no longer polled");
    }
    const Values* present_value = nullptr;
    for (const PropertyValue& v : n.values) {
        if (v.ref == PropertyRef{PropertyId::present_value, std::nullopt}) {
            present_value = &v.values;
        } else if (v.ref == PropertyRef{PropertyId::status_flags, std::nullopt}) {
            o->status_flags = status_flags_of(v.values);
        }
    }
    if (present_value == nullptr) return;
    const std::int64_t ts = sdk::now_unix_ms();
    std::vector<sdk::PointValue> values;
    std::vector<std::size_t> changed;
    for (std::size_t i : o->points) {
        const PointConfig& p = config_.points[i];
        if (!p.cov || !p.is_present_value()) continue;
        const auto before = points_[i].failing;
        take_values(i, *present_value, quality_of(o->status_flags), ts, values);
        if (points_[i].failing != before) changed.push_back(i);
    }
    publish(std::move(values));
    log_point_changes(changed);
}

}  // namespace lintel::bacnet
