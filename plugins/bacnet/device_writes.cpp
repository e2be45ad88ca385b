// BACnet device writes: WriteProperty of present-value at the point's priority, relinquish (NULL at
// that priority) through the "<point>.relinquish" pseudo-point, and timed relinquish: a write to
// a point with relinquish_after is taken back that long after, also across restarts (the promise
// is kept in <state_dir>/<device>.relinquish).
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "device_session.hpp"
#include "point_value.hpp"

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;

// A relinquish that failed (device away, or it refused) is tried again after this long.
constexpr auto kRelinquishRetry = 10s;

std::string hex(const std::vector<std::uint8_t>& bytes) {
    std::string s;
    char buf[3];
    for (std::uint8_t b : bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
    }
    return s;
}

std::string slot_text(const ObjectId& object, std::uint8_t priority) {
    return object_id_text(object) + " present-value at priority " + std::to_string(priority);
}

std::string value_text(const sdk::Value& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) {
                return x ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::string>) {
                return "\"" + x + "\"";
            } else {
                // Shortest text that reads back the same: 42.5, not 42.500000.
                char buf[32];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
                return ec == std::errc() ? std::string(buf, end) : std::string("?");
            }
        },
        v);
}

}  // namespace

std::string DeviceSession::device_key() const {
    if (config_.device_instance) return "instance:" + std::to_string(*config_.device_instance);
    std::string key = "address:" + to_string(*config_.address);
    if (config_.route) {
        key += "/" + std::to_string(config_.route->network) + ":" + hex(config_.route->mac);
    }
    return key;
}

std::string DeviceSession::slot_key(const ObjectId& object, std::uint8_t priority) {
    return object_id_text(object) + "@" + std::to_string(priority);
}

void DeviceSession::finish_write(std::uint64_t id, Expected<void> result) {
    auto it = writes_.find(id);
    if (it == writes_.end()) return;
    sdk::WriteDone done = std::move(it->second.done);
    writes_.erase(it);
    if (done) done(std::move(result));
}

void DeviceSession::write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) {
    // `done` never runs inside write(): the caller may not expect re-entry.
    auto fail = [&](std::string code, std::string message) {
        asio::post(executor_,
                   [done = std::move(done), e = Error{std::move(code), std::move(message)}] {
                       if (done) done(std::unexpected(e));
                   });
    };
    if (stopped_) return fail("bacnet.stopped", "device " + name_ + " is stopped");
    const bool relinquish = point.ends_with(kRelinquishSuffix);
    const std::string_view base =
        relinquish ? point.substr(0, point.size() - kRelinquishSuffix.size()) : point;
    auto it = std::find_if(config_.points.begin(), config_.points.end(),
                           [&](const PointConfig& p) { return p.name == base; });
    if (it == config_.points.end()) {
        return fail("bacnet.unknown_point",
                    "device " + name_ + " has no point \"" + std::string(point) + "\"");
    }
    const PointConfig& p = *it;
    if (!p.writable) {
        return fail("bacnet.not_writable",
                    "point " + p.name + " of device " + name_ + " is not writable");
    }
    Value bacnet_value = Null{};
    if (relinquish) {
        if (value != sdk::Value{true}) {
            return fail("bacnet.type_mismatch",
                        "write true to " + std::string(point) + " to relinquish " + p.name);
        }
    } else {
        auto v = write_value(p, value);
        if (!v) return fail(v.error().code, v.error().message);
        bacnet_value = std::move(*v);
        const auto number = as_double(bacnet_value);
        if (number && ((p.min && *number < *p.min) || (p.max && *number > *p.max))) {
            return fail("bacnet.out_of_range", "point " + p.name + ": " + value_text(value) +
                                                   " is outside its configured min/max");
        }
    }
    if (!bound_ || !channel_ || !channel_->peer()) {
        return fail("bacnet.not_connected",
                    config_.describe() + " is not reachable now; the write was not sent");
    }
    const std::uint64_t id = next_write_id_++;
    writes_[id] = PendingWrite{id, std::move(done)};
    const auto index = static_cast<std::size_t>(it - config_.points.begin());
    const std::string what =
        relinquish ? "relinquish of " + slot_text(p.object, p.priority)
                   : "write of " + value_text(value) + " to " + slot_text(p.object, p.priority);
    WritePropertyRequest request{
        p.object, {PropertyId::present_value, std::nullopt}, {std::move(bacnet_value)}, p.priority};
    channel_->submit(
        write_property(std::move(request)),
        [weak = weak_from_this(), id, index, relinquish, what](Expected<Response> answer) {
            auto self = weak.lock();
            if (self == nullptr || self->stopped_) return;
            const PointConfig& pc = self->config_.points[index];
            Expected<void> r = answer ? decode_write_property_ack(answer->apdu)
                                      : Expected<void>(std::unexpected(answer.error()));
            if (!r) {
                self->host_.log().warning(what + " (point " + pc.name + ") on " +
                                              self->config_.describe() +
                                              " failed: " + r.error().message,
                                          {{"POINT", pc.name}, {"ERROR", r.error().code}});
                self->finish_write(id, std::unexpected(Error{r.error().code,
                                                             "write of point " + pc.name +
                                                                 " failed: " + r.error().message}));
                return;
            }
            self->host_.log().info(
                what + " (point " + pc.name + ") on " + self->config_.describe() + " done",
                {{"POINT", pc.name}});
            if (relinquish) {
                self->drop_timed_relinquish(pc.object, pc.priority);
            } else if (pc.relinquish_after) {
                self->schedule_relinquish(pc);
            }
            // Read the result back soon rather than at the next cycle.
            self->next_poll_ = Clock::now();
            self->wake();
            self->finish_write(id, {});
        },
        true);
}

// ---- timed relinquish ----

void DeviceSession::load_timed_relinquishes() {
    const auto file = relinquish_file_for(config_.state_dir, name_);
    auto loaded = load_relinquish_file(file);
    if (!loaded) {
        host_.log().error("cannot read pending timed relinquishes: " + loaded.error().message +
                          "; values written with relinquish_after before this start may stay in "
                          "the device's priority array: check them by hand");
        return;
    }
    for (const auto& problem : loaded->problems) {
        host_.log().warning(file.string() + ": " + problem + "; that line is ignored");
    }
    if (loaded->entries.empty()) return;
    if (loaded->device_key != device_key()) {
        host_.log().warning(std::to_string(loaded->entries.size()) +
                            " pending timed relinquish(es) in " + file.string() + " were for " +
                            loaded->device_key + ", not this device (" + device_key() +
                            "); they are dropped: check that device's priority arrays by hand");
        timed_.clear();
        save_timed_relinquishes();
        return;
    }
    timed_ = std::move(loaded->entries);
    host_.log().info(std::to_string(timed_.size()) +
                     " timed relinquish(es) pending from before this start; each runs when due "
                     "(at once if overdue)");
    arm_relinquish_timer();
}

void DeviceSession::save_timed_relinquishes() {
    const auto file = relinquish_file_for(config_.state_dir, name_);
    if (auto saved = save_relinquish_file(file, device_key(), timed_); !saved) {
        host_.log().error("timed relinquishes not saved: " + saved.error().message +
                          "; they still run unless linteld restarts first (set state_dir to a "
                          "writable directory)");
    }
}

void DeviceSession::schedule_relinquish(const PointConfig& point) {
    drop_timed_relinquish(point.object, point.priority);
    const auto after = *point.relinquish_after;
    timed_.push_back(TimedRelinquish{point.name, point.object, point.priority,
                                     sdk::now_unix_ms() + after.count()});
    save_timed_relinquishes();
    arm_relinquish_timer();
}

void DeviceSession::drop_timed_relinquish(const ObjectId& object, std::uint8_t priority) {
    const auto before = timed_.size();
    std::erase_if(timed_, [&](const TimedRelinquish& t) {
        return t.object == object && t.priority == priority;
    });
    if (timed_.size() == before) return;
    save_timed_relinquishes();
    arm_relinquish_timer();
}

void DeviceSession::arm_relinquish_timer() {
    if (stopped_) return;
    std::optional<std::int64_t> earliest;
    for (const auto& t : timed_) {
        if (relinquish_sending_.contains(slot_key(t.object, t.priority))) continue;
        if (!earliest || t.due_unix_ms < *earliest) earliest = t.due_unix_ms;
    }
    if (!earliest) {
        relinquish_timer_.cancel();
        return;
    }
    const auto delay =
        std::chrono::milliseconds(std::max<std::int64_t>(0, *earliest - sdk::now_unix_ms()));
    relinquish_timer_.expires_at(std::max(Clock::now() + delay, relinquish_not_before_));
    relinquish_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || self == nullptr || self->stopped_) return;
        self->run_due_relinquishes();
    });
}

void DeviceSession::run_due_relinquishes() {
    const std::int64_t now = sdk::now_unix_ms();
    if (!bound_ || !channel_ || !channel_->peer()) {
        relinquish_not_before_ = Clock::now() + kRelinquishRetry;
        arm_relinquish_timer();
        return;
    }
    for (const TimedRelinquish& t : timed_) {
        const std::string key = slot_key(t.object, t.priority);
        if (t.due_unix_ms > now || relinquish_sending_.contains(key)) continue;
        relinquish_sending_.insert(key);
        WritePropertyRequest request{
            t.object, {PropertyId::present_value, std::nullopt}, {Value{Null{}}}, t.priority};
        channel_->submit(
            write_property(std::move(request)),
            [weak = weak_from_this(), t, key](Expected<Response> answer) {
                auto self = weak.lock();
                if (self == nullptr || self->stopped_) return;
                self->relinquish_sending_.erase(key);
                Expected<void> r = answer ? decode_write_property_ack(answer->apdu)
                                          : Expected<void>(std::unexpected(answer.error()));
                if (!r) {
                    self->host_.log().warning(
                        "timed relinquish of " + slot_text(t.object, t.priority) + " (point " +
                            t.point + ") on " + self->config_.describe() +
                            " failed: " + r.error().message + "; trying again in 10 s",
                        {{"POINT", t.point}, {"ERROR", r.error().code}});
                    self->relinquish_not_before_ = Clock::now() + kRelinquishRetry;
                    self->arm_relinquish_timer();
                    return;
                }
                self->host_.log().info(
                    "relinquished " + slot_text(t.object, t.priority) + " (point " + t.point +
                        ") on " + self->config_.describe() + ": its relinquish_after time came",
                    {{"POINT", t.point}});
                // A newer write to the same slot rescheduled it: that one stays.
                const auto before = self->timed_.size();
                std::erase(self->timed_, t);
                if (self->timed_.size() != before) self->save_timed_relinquishes();
                self->next_poll_ = Clock::now();
                self->wake();
                self->arm_relinquish_timer();
            },
            true);
    }
    arm_relinquish_timer();
}

}  // namespace lintel::bacnet
