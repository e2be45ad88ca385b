// BACnet device lifecycle: the network lease, binding to the device (I-Am), the main loop that
// subscribes and polls, going down and coming back, health. One coroutine per device.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "device.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "device_session.hpp"
#include "lintel/config_reader.hpp"
#include "point_value.hpp"

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;
using sdk::Health;
using sdk::Quality;

constexpr std::chrono::milliseconds kInitialBackoff = 1s;
// Without an I-Am, assume the smallest APDU common on B/IP and MS/TP devices alike.
constexpr std::uint32_t kUnknownMaxApdu = 480;
// I-Am broadcasts (answers to someone's Who-Is) renew subscriptions at most this often.
constexpr auto kIAmResubscribeInterval = 30s;

sdk::Value zero_value(const PointConfig& p) {
    if (!p.is_present_value()) return sdk::Value{0.0};
    switch (object_kind(p.object.type)) {
        case ObjectKind::binary:
            return sdk::Value{false};
        case ObjectKind::multistate:
            return sdk::Value{std::int64_t{0}};
        default:
            return sdk::Value{0.0};
    }
}

}  // namespace

DeviceSession::DeviceSession(std::string name, DeviceConfig config, sdk::DeviceHost& host,
                             std::shared_ptr<NetworkRegistry> registry)
    : name_(std::move(name)),
      config_(std::move(config)),
      host_(host),
      registry_(std::move(registry)),
      executor_(host.executor()),
      process_id_(process_id_for(name_)),
      instance_(config_.device_instance),
      wake_(executor_),
      relinquish_timer_(executor_) {
    // The first notification after subscribing may take as long as an answer may.
    const CovTiming timing{config_.cov_lifetime, config_.timeout,
                           std::max<std::chrono::milliseconds>(config_.poll_interval, 1s)};
    for (std::size_t i = 0; i < config_.points.size(); ++i) {
        const PointConfig& p = config_.points[i];
        PointState s{zero_value(p), p.unit.value_or(""), p.unit.has_value(), std::nullopt};
        // Only analog objects have units; the others publish without one.
        if (!p.is_present_value() || object_kind(p.object.type) != ObjectKind::analog) {
            s.unit_known = true;
        }
        points_.push_back(std::move(s));
        auto it = std::find_if(objects_.begin(), objects_.end(),
                               [&](const ObjectState& o) { return o.id == p.object; });
        if (it == objects_.end()) {
            objects_.push_back(
                ObjectState{p.object, {}, false, CovSubscription(timing), false, std::nullopt});
            it = objects_.end() - 1;
        }
        it->points.push_back(i);
        if (p.cov) it->cov_wanted = true;
    }
    units_pending_ = std::any_of(points_.begin(), points_.end(),
                                 [](const PointState& s) { return !s.unit_known; });
}

// ---- host calls: every one is guarded, so nothing reaches the host after stop() ----

std::string DeviceSession::label(std::size_t point) const {
    const PointConfig& p = config_.points[point];
    std::string s =
        "point " + p.name + " (" + object_id_text(p.object) + " " + property_name(p.ref.property);
    if (p.ref.array_index) s += "[" + std::to_string(*p.ref.array_index) + "]";
    return s + ")";
}

std::size_t DeviceSession::max_apdu() const {
    return std::min<std::size_t>(config_.max_apdu.value_or(max_apdu_), kMaxApdu);
}

void DeviceSession::set_health(Health health, const std::string& detail) {
    if (stopped_ || (health == health_ && health != Health::degraded)) return;
    const Health before = health_;
    health_ = health;
    host_.report_health(health, detail);
    const std::string who = config_.describe();
    switch (health) {
        case Health::ok:
            host_.log().info(before == Health::starting || before == Health::ok
                                 ? "reading " + who + ": " + detail
                                 : who + " answers normally again: " + detail);
            break;
        case Health::degraded:
            if (before != Health::degraded) {
                host_.log().warning("some reads from " + who + " fail (" + detail +
                                    "); their points are published with quality=error, the "
                                    "others as usual");
            }
            break;
        case Health::down:
            host_.log().warning(who + " is down: " + detail +
                                "; its points are published with quality=error; trying again "
                                "with backoff up to " +
                                sdk::format_duration(config_.backoff_max));
            break;
        case Health::starting:
            break;
    }
}

void DeviceSession::publish(std::vector<sdk::PointValue> values) {
    if (stopped_ || values.empty()) return;
    host_.publish(std::move(values));
}

sdk::PointValue DeviceSession::point_value(std::size_t index, sdk::Quality quality,
                                           std::int64_t ts) const {
    const PointConfig& p = config_.points[index];
    return sdk::PointValue{name_, p.name, points_[index].value, points_[index].unit, quality, ts};
}

void DeviceSession::go_down(const std::string& why) {
    bound_ = false;
    forget_subscriptions();
    // Found by Who-Is: it may come back elsewhere; the probe asks again instead of trusting the
    // old address.
    if (network_ && instance_ && !config_.address) network_->forget_device(*instance_);
    if (stopped_ || health_ == Health::down) return;
    set_health(Health::down, why);
    std::vector<sdk::PointValue> values;
    const std::int64_t ts = sdk::now_unix_ms();
    for (std::size_t i = 0; i < points_.size(); ++i) {
        values.push_back(point_value(i, Quality::error, ts));
    }
    publish(std::move(values));
}

void DeviceSession::came_back() {
    bound_ = true;
    // Whatever happened while it was away (a restart, most likely), subscriptions start afresh.
    forget_subscriptions();
    next_poll_ = Clock::now();
}

// ---- the network, binding and probing ----

asio::awaitable<bool> DeviceSession::attach_network() {
    auto net = registry_->acquire(executor_, config_.link);
    if (!net) {
        go_down(net.error().message);
        co_return false;
    }
    network_ = *net;
    network_->attach_logger(host_.log());
    channel_ = std::make_shared<Channel>(network_, RequestTiming{config_.timeout, config_.retries},
                                         config_.max_concurrent_requests);
    reader_ = std::make_unique<BatchReader>(channel_, config_.describe(), host_.log());
    std::weak_ptr<DeviceSession> weak = weak_from_this();
    i_am_listener_ = network_->on_i_am([weak](const IAm& i_am, const Peer& from) {
        if (auto self = weak.lock()) self->on_i_am(i_am, from);
    });
    // Another device on this endpoint with a colliding hash: take the next free id.
    while (!network_->add_cov_listener(process_id_,
                                       [weak](const CovNotification& n, const Peer& from) {
                                           if (auto self = weak.lock())
                                               self->on_notification(n, from);
                                       })) {
        process_id_ = process_id_ % 4194303U + 1U;
    }
    cov_listening_ = true;
    co_return true;
}

asio::awaitable<void> DeviceSession::sleep_until(Clock::time_point when) {
    wake_.expires_at(when);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void DeviceSession::wake() { wake_.cancel(); }

bool DeviceSession::is_this_device(const IAm& i_am, const Peer& from) const {
    if (instance_) return i_am.device.instance == *instance_;
    return config_.address && from.ip == *config_.address && from.route == config_.route;
}

asio::awaitable<bool> DeviceSession::bind() {
    binding_ = true;
    found_.reset();
    const auto who_is = [&](const Peer& to) {
        WhoIs w;
        if (instance_) w.low = w.high = *instance_;
        network_->who_is(w, to);
    };
    int sent = 0;
    if (config_.address) {
        // The address is authoritative; a unicast Who-Is only tells the device's max APDU.
        const Peer peer{*config_.address, config_.route};
        channel_->set_peer(peer);
        who_is(peer);
        ++sent;
        const auto deadline = Clock::now() + config_.timeout;
        while (!found_ && !stopped_ && Clock::now() < deadline) co_await sleep_until(deadline);
    } else if (const DeviceAddress* known = network_->devices().find(*instance_)) {
        found_ = *known;  // heard already (another device's Who-Is, or its own I-Am)
    } else {
        for (int attempt = 0; attempt <= config_.retries && !found_ && !stopped_; ++attempt) {
            network_->find_device(*instance_);
            ++sent;
            const auto deadline = Clock::now() + config_.timeout;
            while (!found_ && !stopped_ && Clock::now() < deadline) {
                co_await sleep_until(deadline);
            }
        }
    }
    binding_ = false;
    if (stopped_) co_return false;
    if (found_) {
        max_apdu_ = found_->max_apdu;
        if (!config_.address) channel_->set_peer(found_->peer);
        host_.log().debug(config_.describe() + " answered Who-Is from " +
                          to_string(*channel_->peer()) + ": max APDU " +
                          std::to_string(max_apdu()));
        co_return true;
    }
    if (config_.address) {
        max_apdu_ = kUnknownMaxApdu;
        host_.log().debug(config_.describe() +
                          " did not answer a unicast Who-Is; assuming max "
                          "APDU " +
                          std::to_string(max_apdu()) + " (set max_apdu to override)");
        co_return true;
    }
    last_down_reason_ =
        "no I-Am answered Who-Is for device " + std::to_string(*instance_) + " (" +
        std::to_string(sent) + " sent, " +
        (config_.link.bbmd ? "through the BBMD at " + to_string(config_.link.bbmd->address)
                           : "broadcast to " + to_string(config_.link.broadcast)) +
        ")";
    co_return false;
}

asio::awaitable<bool> DeviceSession::probe() {
    if (!config_.address) co_return co_await bind();
    // One request, not a whole cycle: a device that is away is not flooded with retries.
    const PointConfig& first = config_.points.front();
    auto answer = co_await channel_->call(read_property({first.object, first.ref}));
    if (stopped_) co_return false;
    if (!answer) {
        last_down_reason_ = answer.error().message;
        co_return answer.error().code != "bacnet.timeout" && answer.error().code != "bacnet.send";
    }
    co_return true;
}

void DeviceSession::on_i_am(const IAm& i_am, const Peer& from) {
    if (stopped_ || !is_this_device(i_am, from)) return;
    const auto now = Clock::now();
    if (binding_) {
        found_ = DeviceAddress{from, std::min<std::uint32_t>(i_am.max_apdu, 1476),
                               i_am.segmentation, i_am.vendor_id, now};
        if (!instance_) instance_ = i_am.device.instance;
        wake();
        return;
    }
    if (!bound_) {
        wake();  // back: probe now rather than at the end of the backoff
        return;
    }
    if (!config_.address && channel_->peer() != from) {
        host_.log().info(config_.describe() + " now answers at " + to_string(from) + " (was " +
                         to_string(*channel_->peer()) + ")");
        channel_->set_peer(from);
        max_apdu_ = std::min<std::uint32_t>(i_am.max_apdu, 1476);
    }
    const auto subscribed =
        std::count_if(objects_.begin(), objects_.end(), [](const ObjectState& o) {
            return o.cov_wanted && o.cov.state() == CovSubscription::State::active;
        });
    if (subscribed == 0 || now - last_i_am_resubscribe_ < kIAmResubscribeInterval) return;
    last_i_am_resubscribe_ = now;
    host_.log().info(config_.describe() +
                     " announced itself (I-Am); it may have restarted and forgotten its "
                     "subscriptions: renewing its " +
                     std::to_string(subscribed) + " COV subscription(s) now");
    forget_subscriptions();
    wake();
}

// ---- the device's one coroutine ----

asio::awaitable<void> DeviceSession::run(std::shared_ptr<DeviceSession> self) {
    const DeviceConfig& c = self->config_;
    const auto initial = std::min<std::chrono::milliseconds>(kInitialBackoff, c.backoff_max);
    auto backoff = initial;
    // Up since the last probe but not one full round answered: the next failure waits the
    // backoff too, so a device that answers a probe and nothing else is not hammered.
    bool had_good_round = true;
    auto fail_and_wait = [&]() -> asio::awaitable<void> {
        self->host_.log().debug("next attempt in " + sdk::format_duration(backoff));
        co_await self->sleep_until(Clock::now() + backoff);
        backoff = std::min(backoff * 2, c.backoff_max);
    };
    while (!self->stopped_) {
        if (!self->network_) {
            if (!co_await self->attach_network()) {
                if (self->stopped_) break;
                co_await fail_and_wait();
                continue;
            }
        }
        if (!self->bound_) {
            const bool down = self->health_ == sdk::Health::down;
            const bool ok = down ? co_await self->probe() : co_await self->bind();
            if (self->stopped_) break;
            if (!ok) {
                self->go_down(self->last_down_reason_);
                co_await fail_and_wait();
                continue;
            }
            self->came_back();
            had_good_round = false;
        }
        if (self->units_pending_) co_await self->read_units();
        if (self->stopped_) break;
        bool answered = co_await self->maintain_cov();
        if (self->stopped_) break;
        if (answered && Clock::now() >= self->next_poll_) {
            const auto started = Clock::now();
            answered = co_await self->poll_cycle();
            if (self->stopped_) break;
            self->next_poll_ = std::max(started + c.poll_interval, Clock::now());
        }
        if (!answered) {
            self->go_down(self->last_down_reason_);
            if (!had_good_round) co_await fail_and_wait();
            continue;
        }
        had_good_round = true;
        backoff = initial;
        auto next = self->next_poll_;
        if (auto cov = self->next_cov_event()) next = std::min(next, *cov);
        if (next > Clock::now()) co_await self->sleep_until(next);
    }
    // Held until here: the loop may use them until it sees stopped_.
    self->reader_.reset();
    self->channel_.reset();
    self->network_.reset();
}

void DeviceSession::start() {
    if (started_ || stopped_) return;
    started_ = true;
    for (const PointConfig& p : config_.points) {
        if (!p.writable) continue;
        host_.expose_writable(sdk::WritablePoint{p.name, write_kind(p), p.min, p.max});
        host_.expose_writable(sdk::WritablePoint{p.name + std::string(kRelinquishSuffix),
                                                 sdk::ValueKind::boolean, std::nullopt,
                                                 std::nullopt});
    }
    load_timed_relinquishes();
    std::weak_ptr<DeviceSession> weak = weak_from_this();
    asio::co_spawn(executor_, run(shared_from_this()), [weak](std::exception_ptr e) {
        auto self = weak.lock();
        if (!e || self == nullptr || self->stopped_) return;
        const std::string what = exception_text(e);
        self->host_.log().error("BACnet device stopped working: " + what +
                                "; restart the daemon or the device (restart-driver)");
        self->set_health(sdk::Health::down, "internal error: " + what);
    });
}

void DeviceSession::stop() {
    if (stopped_) return;
    if (network_) {
        cancel_subscriptions();  // polite: the device frees the slots now, not at expiry
        network_->remove_listener(i_am_listener_);
        if (cov_listening_) network_->remove_cov_listener(process_id_);
        network_->detach_logger(host_.log());
    }
    stopped_ = true;
    wake_.cancel();
    relinquish_timer_.cancel();
    if (channel_) channel_->close();
    auto writes = std::move(writes_);
    writes_.clear();
    for (auto& [id, w] : writes) {
        if (w.done) {
            w.done(make_error("bacnet.stopped",
                              "device " + name_ + " stopped before the write was confirmed"));
        }
    }
}

// ---- the sdk::Device facade ----

BacnetDevice::BacnetDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host,
                           std::shared_ptr<NetworkRegistry> registry)
    : session_(std::make_shared<DeviceSession>(std::move(name), std::move(config), host,
                                               std::move(registry))) {}

BacnetDevice::~BacnetDevice() { session_->stop(); }

void BacnetDevice::start() { session_->start(); }
void BacnetDevice::stop() { session_->stop(); }
void BacnetDevice::write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) {
    session_->write(point, value, std::move(done));
}

}  // namespace lintel::bacnet
