// The uplink session: state machine driver, connection attempts, status messages, clean stop.
//
// One MqttClient per connection attempt: a fresh libmosquitto object has no in-flight messages
// of its own to re-send after a reconnect, so the store (after rewind) is the only source of
// re-sends and every message id on a connection maps to exactly one batch.
#include "uplink/session.hpp"

#include <cstdio>
#include <optional>
#include <unordered_set>
#include <vector>

#include "lintel/point.hpp"
#include "uplink/backoff.hpp"
#include "uplink/status.hpp"
#include "uplink/topics.hpp"

namespace lintel::uplink {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Control messages in flight at once: they are few; telemetry keeps its own window.
constexpr std::size_t kOutboxInFlight = 8;

// A repeated identical connect failure is logged the first time and then every Nth attempt.
constexpr std::uint64_t kLogEveryNthFailure = 10;

std::string seconds_text(std::chrono::milliseconds d) {
    if (d < 1s) return std::to_string(d.count()) + " ms";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

std::string hex_code(int code) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(code) & 0xffu);
    return buf;
}

}  // namespace

struct Session::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::any_io_executor executor, UplinkConfig config, store::BatchSource& source,
         sdk::Logger& log, StatsFn stats, MqttClientFactory factory)
        : ex_(executor),
          cfg_(std::move(config)),
          source_(source),
          log_(log),
          stats_(std::move(stats)),
          factory_(std::move(factory)),
          backoff_(cfg_.reconnect.initial, cfg_.reconnect.max),
          pump_(executor, source, log, cfg_.batch, cfg_.max_in_flight),
          connect_timer_(executor),
          backoff_timer_(executor),
          status_timer_(executor),
          stop_timer_(executor),
          broker_(cfg_.host + ":" + std::to_string(cfg_.port)) {}

    asio::any_io_executor ex_;
    UplinkConfig cfg_;
    store::BatchSource& source_;
    sdk::Logger& log_;
    StatsFn stats_;
    MqttClientFactory factory_;
    Topics topics_;
    Backoff backoff_;
    TelemetryPump pump_;
    asio::steady_timer connect_timer_;
    asio::steady_timer backoff_timer_;
    asio::steady_timer status_timer_;
    asio::steady_timer stop_timer_;
    std::string broker_;

    LinkState state_ = LinkState::disconnected;
    std::unique_ptr<MqttClient> client_;
    std::uint64_t attempt_ = 0;  // events from an older client carry an older number
    Clock::time_point connected_at_{};
    std::int64_t since_ms_ = 0;
    std::chrono::milliseconds next_delay_{0};
    std::string last_reason_;
    std::string last_logged_failure_;
    std::uint64_t failures_in_row_ = 0;
    std::unordered_set<int> status_mids_;
    bool status_refusal_logged_ = false;
    std::optional<int> offline_mid_;
    std::chrono::milliseconds stop_deadline_{0};
    std::vector<std::function<void()>> stop_waiters_;
    std::vector<StateListener> listeners_;
    CommandHandler command_handler_;
    CommandHandler certificate_handler_;
    std::optional<int> certificate_sub_mid_;
    std::unordered_set<int> control_mids_;  // publish_now(): PUBACKs nobody waits for
    std::unique_ptr<TelemetryPump> outbox_pump_;
    std::function<std::string()> status_extra_;  // control messages; null without an outbox
    std::optional<int> subscribe_mid_;
    SessionCounters counters_;
    bool started_ = false;

    // --- the state machine -------------------------------------------------------------
    void fire(LinkEvent event, const std::string& reason = {}) {
        const auto next = next_state(state_, event);
        if (!next) {
            log_.debug("uplink: event ignored in this state",
                       {{"EVENT", to_string(event)}, {"STATE", to_string(state_)}});
            return;
        }
        const LinkState from = state_;
        state_ = *next;
        if (!reason.empty()) last_reason_ = reason;
        enter(from, event, reason);
        for (const auto& l : listeners_) l(state_, reason);
    }

    void enter(LinkState from, LinkEvent event, const std::string& reason) {
        switch (state_) {
            case LinkState::connecting:
                begin_attempt();
                break;
            case LinkState::connected:
                enter_connected();
                break;
            case LinkState::backoff:
                enter_backoff(from, reason);
                break;
            case LinkState::stopping:
                enter_stopping();
                break;
            case LinkState::stopped:
                enter_stopped(from, event, reason);
                break;
            case LinkState::disconnected:
                break;
        }
    }

    // Defers an event to a fresh handler, so fire() never runs inside another fire().
    void post_event(std::uint64_t attempt, LinkEvent event, std::string reason) {
        std::weak_ptr<Impl> weak = shared_from_this();
        asio::post(ex_, [weak, attempt, event, reason = std::move(reason)] {
            auto self = weak.lock();
            if (self && self->attempt_ == attempt) self->fire(event, reason);
        });
    }

    // --- connecting ----------------------------------------------------------------------
    void begin_attempt() {
        const std::uint64_t attempt = ++attempt_;
        log_.debug("uplink: connecting", {{"BROKER", broker_}});
        MqttClientOptions o;
        o.host = cfg_.host;
        o.port = cfg_.port;
        o.client_id = cfg_.effective_client_id();
        o.protocol = cfg_.protocol;
        o.keepalive = cfg_.keepalive;
        o.tls = cfg_.tls;
        // A claim identity may not write the status topic: a Will there would be refused.
        if (!cfg_.claim)
            o.will = MqttWill{topics_.status, offline_status_json(cfg_.gateway_id), 1, true};
        // Room for the status messages next to a full window of telemetry.
        o.max_in_flight = static_cast<int>(cfg_.max_in_flight) + 2;

        std::weak_ptr<Impl> weak = shared_from_this();
        MqttEvents events;
        events.on_connect = [weak, attempt](MqttResult r) {
            if (auto self = weak.lock(); self && self->attempt_ == attempt) self->on_connect(r);
        };
        events.on_disconnect = [weak, attempt](MqttResult r) {
            if (auto self = weak.lock(); self && self->attempt_ == attempt) self->on_disconnect(r);
        };
        events.on_publish = [weak, attempt](int mid, MqttResult r) {
            if (auto self = weak.lock(); self && self->attempt_ == attempt)
                self->on_publish(mid, r);
        };
        events.on_subscribe = [weak, attempt](int mid, std::vector<int> granted) {
            if (auto self = weak.lock(); self && self->attempt_ == attempt)
                self->on_subscribe(mid, granted);
        };
        events.on_message = [weak, attempt](MqttMessage m) {
            if (auto self = weak.lock(); self && self->attempt_ == attempt) self->on_message(m);
        };

        connect_timer_.expires_after(cfg_.connect_timeout);
        connect_timer_.async_wait([weak, attempt, this](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || attempt_ != attempt || state_ != LinkState::connecting) return;
            fire(
                LinkEvent::connect_failed,
                "no CONNACK within " + seconds_text(cfg_.connect_timeout) + " (attempt abandoned)");
        });

        auto client = factory_(ex_, o, std::move(events), log_);
        if (!client) {
            post_event(attempt, LinkEvent::connect_failed, client.error().message);
            return;
        }
        client_ = std::move(*client);
        if (auto r = client_->connect(); !r)
            post_event(attempt, LinkEvent::connect_failed, r.error().message);
    }

    void on_connect(const MqttResult& r) {
        if (state_ != LinkState::connecting) return;
        if (r.code == 0) {
            fire(LinkEvent::connected);
        } else {
            fire(LinkEvent::connect_failed,
                 "broker refused the connection: " + r.text + " (" + hex_code(r.code) + ")");
        }
    }

    void on_disconnect(const MqttResult& r) {
        switch (state_) {
            case LinkState::connecting:
                fire(LinkEvent::connect_failed, r.text);
                break;
            case LinkState::connected:
                fire(LinkEvent::connection_lost, r.text);
                break;
            case LinkState::stopping:
                fire(LinkEvent::stop_done);
                break;
            default:
                break;
        }
    }

    void on_publish(int mid, const MqttResult& r) {
        if (state_ == LinkState::stopping && offline_mid_ && *offline_mid_ == mid) {
            offline_mid_.reset();
            log_.debug("uplink: offline status acknowledged; disconnecting", {{"BROKER", broker_}});
            if (auto d = client_->disconnect(); !d) fire(LinkEvent::stop_done);
            return;
        }
        if (control_mids_.erase(mid) > 0) {
            if (r.code >= 0x80) {
                log_.warning("uplink: broker refused a control message (check the ACL)",
                             {{"REASON", r.text}, {"CODE", hex_code(r.code)}});
            }
            return;
        }
        if (status_mids_.erase(mid) > 0) {
            if (r.code >= 0x80 && !status_refusal_logged_) {
                status_refusal_logged_ = true;
                log_.error(
                    "uplink: broker refused the status message (check the ACL for this gateway)",
                    {{"TOPIC", topics_.status}, {"REASON", r.text}, {"CODE", hex_code(r.code)}});
            }
            return;
        }
        if (outbox_pump_ && outbox_pump_->on_puback(mid, r.code, r.text)) return;
        pump_.on_puback(mid, r.code, r.text);
    }

    void on_subscribe(int mid, const std::vector<int>& granted) {
        if (certificate_sub_mid_ && *certificate_sub_mid_ == mid) {
            certificate_sub_mid_.reset();
            if (granted.empty() || granted.front() >= 0x80) {
                log_.error(
                    "uplink: broker refused the certificate reply subscription; certificate "
                    "renewal cannot complete (check the broker ACL for this gateway)",
                    {{"TOPIC", topics_.certificate}});
            }
            return;
        }
        if (!subscribe_mid_ || *subscribe_mid_ != mid) return;
        subscribe_mid_.reset();
        if (granted.empty() || granted.front() >= 0x80) {
            log_.error(
                "uplink: broker refused the command subscription; cloud commands cannot reach "
                "this gateway (check the broker ACL for this gateway)",
                {{"TOPIC", topics_.commands},
                 {"CODE", granted.empty() ? std::string("none") : hex_code(granted.front())}});
            return;
        }
        log_.debug("uplink: subscribed to commands", {{"TOPIC", topics_.commands}});
    }

    void on_message(const MqttMessage& m) {
        if (m.topic == topics_.commands && command_handler_) {
            command_handler_(m);
            return;
        }
        if (m.topic == topics_.certificate && certificate_handler_) {
            certificate_handler_(m);
            return;
        }
        // Only the command topic is subscribed; anything else is a broker quirk. Not trusted.
        log_.debug("uplink: ignored a message on an unexpected topic", {{"TOPIC", m.topic}});
    }

    // --- connected -----------------------------------------------------------------------
    void enter_connected() {
        connect_timer_.cancel();
        ++counters_.connects;
        connected_at_ = Clock::now();
        since_ms_ = sdk::now_unix_ms();
        status_mids_.clear();
        status_refusal_logged_ = false;
        if (failures_in_row_ > 0) {
            log_.info("uplink: connected to the broker",
                      {{"BROKER", broker_},
                       {"CLIENT_ID", cfg_.effective_client_id()},
                       {"PROTOCOL", to_string(cfg_.protocol)},
                       {"FAILED_ATTEMPTS_BEFORE", std::to_string(failures_in_row_)}});
        } else {
            log_.info("uplink: connected to the broker", {{"BROKER", broker_},
                                                          {"CLIENT_ID", cfg_.effective_client_id()},
                                                          {"PROTOCOL", to_string(cfg_.protocol)}});
        }
        failures_in_row_ = 0;
        last_logged_failure_.clear();
        control_mids_.clear();
        if (certificate_handler_) {
            auto mid = client_->subscribe(topics_.certificate, 1);
            if (mid) {
                certificate_sub_mid_ = *mid;
            } else {
                log_.error("uplink: cannot subscribe to certificate replies",
                           {{"TOPIC", topics_.certificate}, {"ERROR", mid.error().message}});
            }
        }
        if (cfg_.claim) {
            log_.info("uplink: connected with the claim identity: only the CSR exchange runs",
                      {{"BROKER", broker_}});
            return;
        }
        publish_status();
        if (command_handler_) {
            // Clean start: subscriptions do not survive a reconnect, so every connection asks.
            auto mid = client_->subscribe(topics_.commands, 1);
            if (mid) {
                subscribe_mid_ = *mid;
            } else {
                log_.error("uplink: cannot subscribe to commands",
                           {{"TOPIC", topics_.commands}, {"ERROR", mid.error().message}});
            }
        }
        if (outbox_pump_) {
            // Control messages (results, audit, events) are small and rare: they go first.
            outbox_pump_->start([this](const store::Batch& batch) {
                return client_->publish(topics_.base + "/" + batch.topic, batch.payload, 1, false);
            });
        }
        pump_.start([this](const store::Batch& batch) {
            return client_->publish(topics_.telemetry, batch.payload, 1, false);
        });
        schedule_status();
    }

    void publish_status() {
        StatusInfo info;
        info.gateway = cfg_.gateway_id;
        info.version = cfg_.version;
        info.since_ms = since_ms_;
        if (stats_) info.buffer = stats_();
        info.connects = counters_.connects;
        info.disconnects = counters_.disconnects;
        if (status_extra_) info.extra_json = status_extra_();
        auto mid = client_->publish(topics_.status, online_status_json(info), 1, true);
        if (mid) {
            status_mids_.insert(*mid);
        } else {
            log_.debug("uplink: status not published", {{"ERROR", mid.error().message}});
        }
    }

    void schedule_status() {
        std::weak_ptr<Impl> weak = shared_from_this();
        const auto attempt = attempt_;
        status_timer_.expires_after(cfg_.status_interval);
        status_timer_.async_wait([weak, attempt](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->attempt_ != attempt || self->state_ != LinkState::connected)
                return;
            self->publish_status();
            self->schedule_status();
        });
    }

    // --- backoff -------------------------------------------------------------------------
    void enter_backoff(LinkState from, const std::string& reason) {
        connect_timer_.cancel();
        status_timer_.cancel();
        pump_.stop();
        if (outbox_pump_) outbox_pump_->stop();
        client_.reset();
        if (from == LinkState::connected) {
            ++counters_.disconnects;
            // Only a connection that stayed up earns a fast retry; a broker that accepts and
            // drops at once keeps growing the delay.
            if (Clock::now() - connected_at_ >= cfg_.reconnect.max) backoff_.reset();
            next_delay_ = backoff_.next();
            log_.warning(
                "uplink: lost the connection to the broker; reconnecting",
                {{"BROKER", broker_}, {"REASON", reason}, {"RETRY_IN", seconds_text(next_delay_)}});
        } else {
            ++counters_.failed_attempts;
            ++failures_in_row_;
            next_delay_ = backoff_.next();
            const bool changed = reason != last_logged_failure_;
            if (changed || failures_in_row_ % kLogEveryNthFailure == 0) {
                last_logged_failure_ = reason;
                log_.warning(changed ? "uplink: cannot connect to the broker; will retry"
                                     : "uplink: still cannot connect to the broker; will retry",
                             {{"BROKER", broker_},
                              {"REASON", reason},
                              {"ATTEMPTS", std::to_string(failures_in_row_)},
                              {"RETRY_IN", seconds_text(next_delay_)}});
            } else {
                log_.debug("uplink: connect attempt failed",
                           {{"REASON", reason}, {"ATTEMPTS", std::to_string(failures_in_row_)}});
            }
        }
        std::weak_ptr<Impl> weak = shared_from_this();
        const auto attempt = attempt_;
        backoff_timer_.expires_after(next_delay_);
        backoff_timer_.async_wait([weak, attempt](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->attempt_ != attempt || self->state_ != LinkState::backoff)
                return;
            self->fire(LinkEvent::retry);
        });
    }

    // --- stopping ------------------------------------------------------------------------
    void enter_stopping() {
        status_timer_.cancel();
        pump_.drain();
        if (outbox_pump_) outbox_pump_->drain();
        if (cfg_.claim) {
            // No status topic for a claim identity: just DISCONNECT.
            if (auto d = client_->disconnect(); !d) {
                post_event(attempt_, LinkEvent::stop_done, d.error().message);
                return;
            }
        } else {
            log_.info("uplink: stopping; publishing offline status", {{"BROKER", broker_}});
            auto mid =
                client_->publish(topics_.status, offline_status_json(cfg_.gateway_id), 1, true);
            if (!mid) {
                post_event(attempt_, LinkEvent::stop_done,
                           "offline status not sent: " + mid.error().message);
                return;
            }
            offline_mid_ = *mid;
        }
        std::weak_ptr<Impl> weak = shared_from_this();
        stop_timer_.expires_after(stop_deadline_);
        stop_timer_.async_wait([weak](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->state_ != LinkState::stopping) return;
            self->fire(LinkEvent::stop_done, "stop deadline passed");
        });
    }

    void enter_stopped(LinkState from, LinkEvent, const std::string& reason) {
        if (from == LinkState::stopping && offline_mid_) {
            // Dropping without DISCONNECT makes the broker publish the Will: offline either way.
            log_.warning(
                "uplink: offline status not acknowledged in time; dropping the connection "
                "(the broker publishes the Last Will instead)",
                {{"BROKER", broker_}, {"REASON", reason}});
        }
        offline_mid_.reset();
        connect_timer_.cancel();
        backoff_timer_.cancel();
        status_timer_.cancel();
        stop_timer_.cancel();
        pump_.stop();
        if (outbox_pump_) outbox_pump_->stop();
        client_.reset();
        ++attempt_;  // anything still queued for the last client is now stale
        log_.info("uplink: stopped", {{"BROKER", broker_}});
        for (auto& done : stop_waiters_) asio::post(ex_, std::move(done));
        stop_waiters_.clear();
    }

    void shutdown_now() {
        connect_timer_.cancel();
        backoff_timer_.cancel();
        status_timer_.cancel();
        stop_timer_.cancel();
        pump_.stop();
        if (outbox_pump_) outbox_pump_->stop();
        client_.reset();  // no DISCONNECT: the broker publishes the Will
        ++attempt_;
        state_ = LinkState::stopped;
    }
};

Session::Session(asio::any_io_executor executor, UplinkConfig config, store::BatchSource& source,
                 sdk::Logger& log, StatsFn stats)
    : Session(std::move(executor), std::move(config), source, log, std::move(stats),
              make_mosquitto_client) {}

Session::Session(asio::any_io_executor executor, UplinkConfig config, store::BatchSource& source,
                 sdk::Logger& log, StatsFn stats, MqttClientFactory factory)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), source, log,
                                   std::move(stats), std::move(factory))) {}

Session::~Session() { impl_->shutdown_now(); }

Expected<void> Session::start() {
    Impl& s = *impl_;
    if (s.started_) return make_error("uplink.state", "Session::start() called twice");
    if (auto r = s.cfg_.validate(); !r) return r;
    auto topics = Topics::make(s.cfg_.topic_prefix, s.cfg_.gateway_id);
    if (!topics) return std::unexpected(topics.error());
    s.topics_ = std::move(*topics);
    s.started_ = true;
    std::weak_ptr<Impl> weak = impl_;
    s.source_.on_data_available([weak] {
        if (auto self = weak.lock(); self && self->state_ == LinkState::connected)
            self->pump_.data_available();
    });
    s.fire(LinkEvent::start);
    return {};
}

void Session::async_stop(std::chrono::milliseconds deadline, std::function<void()> done) {
    Impl& s = *impl_;
    if (done) s.stop_waiters_.push_back(std::move(done));
    switch (s.state_) {
        case LinkState::stopped:
            for (auto& d : s.stop_waiters_) asio::post(s.ex_, std::move(d));
            s.stop_waiters_.clear();
            return;
        case LinkState::stopping:
            return;  // already on its way; `done` runs with the others
        default:
            s.stop_deadline_ = deadline;
            s.fire(LinkEvent::stop);
    }
}

LinkState Session::state() const { return impl_->state_; }

std::string Session::link_state_string() const {
    const Impl& s = *impl_;
    switch (s.state_) {
        case LinkState::disconnected:
            return "uplink not started";
        case LinkState::connecting:
            if (s.failures_in_row_ == 0) return "uplink connecting to " + s.broker_;
            return "uplink connecting to " + s.broker_ + " (attempt " +
                   std::to_string(s.failures_in_row_ + 1) + ", last error: " + s.last_reason_ + ")";
        case LinkState::connected:
            return "uplink connected to " + s.broker_ + " (" + std::to_string(s.pump_.in_flight()) +
                   " in flight)";
        case LinkState::backoff:
            return "uplink offline: " + s.last_reason_ + "; retry in " +
                   seconds_text(s.next_delay_);
        case LinkState::stopping:
            return "uplink stopping";
        case LinkState::stopped:
            return "uplink stopped";
    }
    return "uplink ?";
}

void Session::on_state_change(StateListener listener) {
    impl_->listeners_.push_back(std::move(listener));
}

void Session::on_command(CommandHandler handler) { impl_->command_handler_ = std::move(handler); }

void Session::on_certificate_reply(CommandHandler handler) {
    impl_->certificate_handler_ = std::move(handler);
}

Expected<void> Session::publish_now(std::string_view subtopic, std::string_view payload) {
    Impl& s = *impl_;
    if (s.state_ != LinkState::connected || !s.client_)
        return make_error("uplink.offline", "the uplink is not connected");
    auto mid = s.client_->publish(s.topics_.base + "/" + std::string(subtopic), payload, 1, false);
    if (!mid) return std::unexpected(mid.error());
    s.control_mids_.insert(*mid);
    return {};
}

void Session::set_status_extra(std::function<std::string()> extra) {
    impl_->status_extra_ = std::move(extra);
}

void Session::attach_outbox(store::BatchSource& outbox) {
    Impl& s = *impl_;
    s.outbox_pump_ = std::make_unique<TelemetryPump>(s.ex_, outbox, s.log_, store::BatchLimits{},
                                                     kOutboxInFlight);
    std::weak_ptr<Impl> weak = impl_;
    outbox.on_data_available([weak] {
        if (auto self = weak.lock(); self && self->state_ == LinkState::connected)
            self->outbox_pump_->data_available();
    });
}

const Topics& Session::topics() const { return impl_->topics_; }

SessionCounters Session::counters() const {
    SessionCounters c = impl_->counters_;
    c.telemetry = impl_->pump_.counters();
    return c;
}

}  // namespace lintel::uplink
