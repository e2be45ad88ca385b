// MQTT device lifecycle: connect to the LAN broker (reconnect with backoff), subscribe to the
// points' topics, map each message to points, mark points stale when their topic goes quiet,
// and publish writes. Callback style: the libmosquitto adapter delivers events on the loop.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "mqtt_device.hpp"

#include <algorithm>
#include <map>

#include "extract.hpp"
#include "lintel/session_device.hpp"
#include "net/key_file.hpp"
#include "topic.hpp"
#include "uplink/mqtt_client.hpp"

namespace lintel::mqttdev {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sdk::Health;
using sdk::Quality;

constexpr std::chrono::milliseconds k_initial_backoff = 1s;
constexpr std::chrono::milliseconds k_max_backoff = 30s;
constexpr std::chrono::milliseconds k_stale_tick = 250ms;

Expected<std::string> read_password(const std::filesystem::path& file) {
    return net::read_secret_file(file, "password file", "mqtt.password_file");
}

struct PendingWrite {
    int mid = 0;
    std::string point;
    sdk::WriteDone done;
};

}  // namespace

struct MqttSession : std::enable_shared_from_this<MqttSession> {
    MqttSession(std::string name, DeviceConfig config, sdk::DeviceHost& host)
        : name_(std::move(name)),
          config_(std::move(config)),
          host_(host),
          executor_(host.executor()),
          broker_(config_.host + ":" + std::to_string(config_.port)),
          retry_timer_(executor_),
          stale_timer_(executor_) {
        for (std::size_t i = 0; i < config_.points.size(); ++i) {
            const PointConfig& p = config_.points[i];
            groups_[p.topic].push_back(i);
            mappings_.push_back(p.mapping);
        }
        states_.resize(config_.points.size());
        for (std::size_t i = 0; i < states_.size(); ++i)
            states_[i].last_value = jsonmap::zero_value(mappings_[i]);
    }

    struct PointState {
        sdk::Value last_value;
        Clock::time_point last_seen{};
        bool stale = false;
        std::optional<std::string> failing;  // error message being reported
    };

    // ---- host calls: all guarded, so nothing reaches the host after stop() ----

    void set_health(Health health, const std::string& detail, const std::string& code = {}) {
        if (stopped_ || (health == health_ && detail == health_detail_)) return;
        const bool changed = health != health_;
        health_ = health;
        health_detail_ = detail;
        host_.report_health(health, detail);
        if (!changed) return;
        const sdk::LogField broker{"BROKER", broker_};
        if (health == Health::ok) {
            host_.log().info("connected to " + broker_ + ": " + detail, {broker});
        } else if (health == Health::degraded) {
            host_.log().warning("device messages via " + broker_ + " arrive but " + detail,
                                {broker});
        } else if (health == Health::down) {
            host_.log().warning("no connection to " + broker_ + ": " + detail +
                                    "; points published with quality=error, retrying",
                                {broker, {"ERROR", code}});
        }
    }

    void publish(std::vector<sdk::PointValue> values) {
        if (stopped_ || values.empty()) return;
        host_.publish(std::move(values));
    }

    // ---- connection ----

    void connect_attempt() {
        if (stopped_) return;
        uplink::MqttClientOptions o;
        o.host = config_.host;
        o.port = config_.port;
        o.client_id = config_.client_id.empty() ? "lintel-" + name_ : config_.client_id;
        o.protocol = uplink::MqttProtocol::mqtt311;  // what small LAN brokers all speak
        o.keepalive = config_.keepalive;
        o.use_tls = config_.tls.has_value();
        if (config_.tls) {
            o.tls.ca_file = config_.tls->ca_file;
            o.tls.cert_file = config_.tls->cert_file;
            o.tls.key_file = config_.tls->key_file;
        }
        o.username = config_.username;
        if (!config_.password_file.empty()) {
            auto password = read_password(config_.password_file);
            if (!password) return fail_attempt(password.error());
            o.password = std::move(*password);
        }
        std::weak_ptr<MqttSession> weak = weak_from_this();
        const std::uint64_t attempt = ++attempt_;
        auto guard = [weak, attempt](auto fn) {
            return [weak, attempt, fn](auto... args) {
                auto self = weak.lock();
                if (self && !self->stopped_ && self->attempt_ == attempt) fn(*self, args...);
            };
        };
        uplink::MqttEvents events;
        events.on_connect = guard([](MqttSession& s, uplink::MqttResult r) { s.on_connect(r); });
        events.on_disconnect = guard([](MqttSession& s, uplink::MqttResult r) {
            s.fail_attempt(Error{"mqtt.connect", r.text});
        });
        events.on_message = guard([](MqttSession& s, uplink::MqttMessage m) { s.on_message(m); });
        events.on_publish =
            guard([](MqttSession& s, int mid, uplink::MqttResult r) { s.on_publish(mid, r); });
        events.on_subscribe = guard([](MqttSession& s, int mid, std::vector<int> granted) {
            s.on_subscribe(mid, granted);
        });
        auto client = uplink::make_mosquitto_client(executor_, o, std::move(events), host_.log());
        if (!client) return fail_attempt(client.error());
        client_ = std::move(*client);
        if (auto started = client_->connect(); !started) fail_attempt(started.error());
    }

    void on_connect(const uplink::MqttResult& r) {
        if (r.code != 0) return fail_attempt(Error{"mqtt.refused", "broker refused: " + r.text});
        connected_ = true;
        backoff_ = k_initial_backoff;
        const auto now = Clock::now();
        for (auto& s : states_) s.last_seen = now;  // stale_after counts from the subscription
        subscriptions_.clear();
        for (const auto& [filter, points] : groups_) {
            auto mid = client_->subscribe(filter, 1);
            if (!mid) {
                host_.log().warning("cannot subscribe to " + filter + ": " + mid.error().message,
                                    {{"TOPIC", filter}});
                continue;
            }
            subscriptions_[*mid] = filter;
        }
        update_health();
    }

    void on_subscribe(int mid, const std::vector<int>& granted) {
        auto it = subscriptions_.find(mid);
        if (it == subscriptions_.end()) return;
        if (!granted.empty() && granted.front() >= 0x80) {
            host_.log().warning("broker " + broker_ + " refused the subscription to " + it->second +
                                    "; its points will not update",
                                {{"TOPIC", it->second}, {"ERROR", "mqtt.subscribe_refused"}});
        }
        subscriptions_.erase(it);
    }

    void fail_attempt(const Error& error) {
        if (stopped_) return;
        const bool was_up = connected_ || health_ != Health::down;
        connected_ = false;
        client_.reset();
        ++attempt_;  // events of the old client are ignored from here on
        fail_writes(Error{"mqtt.not_connected",
                          "connection to " + broker_ + " lost before the broker confirmed"});
        set_health(Health::down, error.message, error.code);
        if (was_up) {
            std::vector<sdk::PointValue> values;
            const std::int64_t ts = sdk::now_unix_ms();
            for (std::size_t i = 0; i < states_.size(); ++i) {
                values.push_back(sdk::PointValue{name_, mappings_[i].name, states_[i].last_value,
                                                 mappings_[i].unit, Quality::error, ts});
                states_[i].failing.reset();
            }
            publish(std::move(values));
        }
        retry_timer_.expires_after(backoff_);
        backoff_ = std::min(backoff_ * 2, k_max_backoff);
        retry_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!ec && self) self->connect_attempt();
        });
    }

    // ---- messages ----

    void on_message(const uplink::MqttMessage& m) {
        const std::int64_t now_ms = sdk::now_unix_ms();
        std::vector<sdk::PointValue> values;
        for (const auto& [filter, indexes] : groups_) {
            if (!topic_matches(filter, m.topic)) continue;
            std::vector<jsonmap::PointMapping> group;
            for (std::size_t i : indexes) group.push_back(mappings_[i]);
            auto extracted = jsonmap::extract(m.payload, group, name_, now_ms);
            for (std::size_t k = 0; k < indexes.size(); ++k) {
                note_point(indexes[k], extracted[k], m.topic);
                values.push_back(std::move(extracted[k].value));
            }
        }
        publish(std::move(values));
        update_health();
    }

    void note_point(std::size_t i, const jsonmap::Extraction& e, const std::string& topic) {
        PointState& s = states_[i];
        s.last_seen = Clock::now();
        s.stale = false;
        const std::string& point = mappings_[i].name;
        if (!e.error) {
            s.last_value = e.value.value;
            if (s.failing && !stopped_)
                host_.log().info("point " + point + " reads again", {{"POINT", point}});
            s.failing.reset();
            return;
        }
        if (s.failing == e.error->message || stopped_) return;
        s.failing = e.error->message;
        host_.log().warning("point " + point + " from topic " + topic + ": " + e.error->message +
                                "; published with quality=error",
                            {{"POINT", point}, {"TOPIC", topic}, {"ERROR", e.error->code}});
    }

    void update_health() {
        if (!connected_) return;
        std::size_t failing = 0;
        std::string first;
        for (std::size_t i = 0; i < states_.size(); ++i) {
            if (!states_[i].failing) continue;
            if (failing++ == 0) first = mappings_[i].name + ": " + *states_[i].failing;
        }
        if (failing == 0) {
            set_health(Health::ok, std::to_string(groups_.size()) + " topic(s) subscribed");
        } else {
            set_health(Health::degraded, std::to_string(failing) + " of " +
                                             std::to_string(states_.size()) +
                                             " points cannot be read, first " + first);
        }
    }

    void schedule_stale_check() {
        const bool any =
            std::any_of(config_.points.begin(), config_.points.end(),
                        [](const PointConfig& p) { return p.stale_after.has_value(); });
        if (!any || stopped_) return;
        stale_timer_.expires_after(k_stale_tick);
        stale_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped_) return;
            self->check_stale();
            self->schedule_stale_check();
        });
    }

    // A point whose topic stayed quiet for stale_after is published once with quality=stale
    // (its last value); the next message makes it good again.
    void check_stale() {
        if (!connected_) return;
        const auto now = Clock::now();
        std::vector<sdk::PointValue> values;
        const std::int64_t ts = sdk::now_unix_ms();
        for (std::size_t i = 0; i < states_.size(); ++i) {
            const auto& limit = config_.points[i].stale_after;
            PointState& s = states_[i];
            if (!limit || s.stale || now - s.last_seen < *limit) continue;
            s.stale = true;
            values.push_back(sdk::PointValue{name_, mappings_[i].name, s.last_value,
                                             mappings_[i].unit, Quality::stale, ts});
            host_.log().info("point " + mappings_[i].name + ": no message on " +
                                 config_.points[i].topic + " for " +
                                 std::to_string(limit->count()) + " ms; published as stale",
                             {{"POINT", mappings_[i].name}});
        }
        publish(std::move(values));
    }

    // ---- writes ----

    void on_publish(int mid, const uplink::MqttResult& r) {
        auto it = std::find_if(writes_.begin(), writes_.end(),
                               [mid](const PendingWrite& w) { return w.mid == mid; });
        if (it == writes_.end()) return;
        PendingWrite w = std::move(*it);
        writes_.erase(it);
        if (r.code >= 0x80) {
            host_.log().warning("write of point " + w.point + " refused by the broker: " + r.text,
                                {{"POINT", w.point}, {"ERROR", "mqtt.publish_refused"}});
            w.done(make_error("mqtt.publish_refused",
                              "the broker refused the write of point " + w.point + ": " + r.text));
            return;
        }
        w.done(Expected<void>{});
    }

    void fail_writes(const Error& error) {
        auto pending = std::move(writes_);
        writes_.clear();
        for (auto& w : pending) w.done(std::unexpected(error));
    }

    Expected<int> send_write(std::string_view point, const sdk::Value& value) {
        auto found =
            jsonmap::find_writable(config_.points, point, name_, "mqtt",
                                   [&](const PointConfig& p) { return config_.write_for(p); });
        if (!found) return std::unexpected(found.error());
        const auto [it, w] = *found;
        auto device_value = jsonmap::to_device_value(it->mapping, value);
        if (!device_value) return std::unexpected(device_value.error());
        if (!connected_ || !client_)
            return make_error("mqtt.not_connected", "device " + name_ + ": no connection to " +
                                                        broker_ + "; the write was not sent");
        const std::string payload =
            w->payload.render(jsonmap::TemplateContext{*device_value, it->mapping.name, name_});
        auto mid = client_->publish(w->topic, payload, w->qos, w->retain);
        if (!mid) return make_error("mqtt.not_connected", mid.error().message);
        return w->qos == 0 ? 0 : *mid;
    }

    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) {
        if (!done) done = [](Expected<void>) {};
        Expected<int> sent = stopped_
                                 ? make_error("mqtt.stopped", "device " + name_ + " is stopped")
                                 : send_write(point, value);
        if (sent && *sent != 0) {
            writes_.push_back(PendingWrite{*sent, std::string(point), std::move(done)});
            return;
        }
        // QoS 0 (done once handed to the library) or refused: `done` must not run inside write().
        Expected<void> result = sent ? Expected<void>{} : std::unexpected(sent.error());
        asio::post(executor_,
                   [done = std::move(done), result = std::move(result)] { done(result); });
    }

    void start() {
        if (started_ || stopped_) return;
        started_ = true;
        for (const auto& m : mappings_) {
            if (!m.writable) continue;
            host_.expose_writable(sdk::WritablePoint{
                m.name, static_cast<sdk::ValueKind>(m.published_type()), m.min, m.max});
        }
        connect_attempt();
        schedule_stale_check();
    }

    void stop() {
        if (stopped_) return;
        retry_timer_.cancel();
        stale_timer_.cancel();
        if (client_) (void)client_->disconnect();
        client_.reset();
        fail_writes(
            Error{"mqtt.stopped", "device " + name_ + " stopped before the broker confirmed"});
        stopped_ = true;
    }

    std::string name_;
    DeviceConfig config_;
    sdk::DeviceHost& host_;
    asio::any_io_executor executor_;
    std::string broker_;
    std::map<std::string, std::vector<std::size_t>> groups_;  // filter → point indexes
    std::vector<jsonmap::PointMapping> mappings_;
    std::vector<PointState> states_;
    std::map<int, std::string> subscriptions_;  // SUBACK awaited: mid → filter
    std::vector<PendingWrite> writes_;
    std::unique_ptr<uplink::MqttClient> client_;
    asio::steady_timer retry_timer_;
    asio::steady_timer stale_timer_;
    std::chrono::milliseconds backoff_ = k_initial_backoff;
    std::uint64_t attempt_ = 0;
    Health health_ = Health::starting;
    std::string health_detail_;
    bool started_ = false;
    bool stopped_ = false;
    bool connected_ = false;
};

std::unique_ptr<sdk::Device> make_mqtt_device(std::string name, DeviceConfig config,
                                              sdk::DeviceHost& host) {
    return std::make_unique<sdk::SessionDevice<MqttSession>>(std::move(name), std::move(config),
                                                             host);
}

}  // namespace lintel::mqttdev
