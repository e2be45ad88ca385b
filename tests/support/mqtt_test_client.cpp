// Test support: MqttTestClient over libmosquitto's threaded interface.
#include "support/mqtt_test_client.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <mutex>
#include <utility>

namespace lintel::test {
namespace {

void lib_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

MqttTestClient* self(void* obj) { return static_cast<MqttTestClient*>(obj); }

void on_connect(mosquitto*, void* obj, int rc, int, const mosquitto_property*) {
    self(obj)->handle_connect(rc);
}
void on_disconnect(mosquitto*, void* obj, int rc, const mosquitto_property*) {
    self(obj)->handle_disconnect(rc);
}
void on_message(mosquitto*, void* obj, const mosquitto_message* m, const mosquitto_property*) {
    MqttMessage msg;
    msg.topic = m->topic;
    msg.payload.assign(static_cast<const char*>(m->payload),
                       static_cast<std::size_t>(m->payloadlen));
    msg.qos = m->qos;
    msg.retain = m->retain;
    self(obj)->handle_message(std::move(msg));
}
void on_subscribe(mosquitto*, void* obj, int mid, int count, const int* granted,
                  const mosquitto_property*) {
    self(obj)->handle_subscribe(mid, std::vector<int>(granted, granted + count));
}
void on_publish(mosquitto*, void* obj, int mid, int reason, const mosquitto_property*) {
    self(obj)->handle_publish(mid, reason);
}

Error mosq_error(const std::string& what, int rc) {
    return Error{"test.mqtt", what + ": " + mosquitto_strerror(rc)};
}

}  // namespace

MqttTestClientOptions MqttTestClientOptions::observer(const Pki& pki, std::uint16_t port) {
    MqttTestClientOptions o;
    o.port = port;
    o.ca_cert = pki.ca_cert;
    o.client = pki.observer;
    return o;
}

MqttTestClient::MqttTestClient(MqttTestClientOptions options) : options_(std::move(options)) {
    lib_init_once();
    mosq_ = mosquitto_new(options_.client_id.c_str(), options_.clean_session, this);
    if (mosq_ == nullptr) return;
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION,
                         options_.mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_connect_v5_callback_set(mosq_, on_connect);
    mosquitto_disconnect_v5_callback_set(mosq_, on_disconnect);
    mosquitto_message_v5_callback_set(mosq_, on_message);
    mosquitto_subscribe_v5_callback_set(mosq_, on_subscribe);
    mosquitto_publish_v5_callback_set(mosq_, on_publish);
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
    // Our own loop thread (run_loop) instead of mosquitto_loop_start(): without this the
    // library writes packets from the caller's thread, racing the loop's.
    mosquitto_threaded_set(mosq_, true);
    if (!options_.clean_session) {
        // MQTT 5 drops the session at disconnect unless it has an expiry interval.
        mosquitto_property* props = nullptr;
        mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 3600);
        connect_props_ = props;
    }
}

MqttTestClient::~MqttTestClient() {
    if (mosq_ == nullptr) return;
    disconnect();
    if (loop_thread_.joinable()) loop_thread_.join();
    mosquitto_destroy(mosq_);
    mosquitto_property_free_all(&connect_props_);
}

Expected<void> MqttTestClient::connect(std::chrono::milliseconds timeout) {
    if (mosq_ == nullptr) return make_error("test.mqtt", "mosquitto_new failed");
    int rc = MOSQ_ERR_SUCCESS;
    if (!options_.ca_cert.empty()) {  // else plain MQTT (a LAN broker, BrokerOptions::plain)
        const bool mutual = !options_.client.cert.empty();
        rc = mosquitto_tls_set(mosq_, options_.ca_cert.c_str(), nullptr,
                               mutual ? options_.client.cert.c_str() : nullptr,
                               mutual ? options_.client.key.c_str() : nullptr, nullptr);
        if (rc != MOSQ_ERR_SUCCESS) return std::unexpected(mosq_error("tls_set", rc));
        mosquitto_tls_opts_set(mosq_, 1, "tlsv1.2", nullptr);
    }
    if (!options_.username.empty()) {
        rc = mosquitto_username_pw_set(mosq_, options_.username.c_str(), options_.password.c_str());
        if (rc != MOSQ_ERR_SUCCESS) return std::unexpected(mosq_error("username_pw_set", rc));
    }
    // A loop thread left by disconnect() ends on its own; it must be gone before this connect.
    if (!want_connection_ && loop_thread_.joinable()) loop_thread_.join();
    {
        std::lock_guard lock(mutex_);
        connect_rc_ = -1;
        dropped_while_connecting_ = false;
    }
    rc =
        mosquitto_connect_bind_v5(mosq_, options_.host.c_str(), options_.port, options_.keepalive_s,
                                  nullptr, options_.mqtt5 ? connect_props_ : nullptr);
    if (rc != MOSQ_ERR_SUCCESS)
        return std::unexpected(
            mosq_error("connect to " + options_.host + ":" + std::to_string(options_.port), rc));
    if (!want_connection_.exchange(true)) {
        loop_thread_ = std::thread([this] { run_loop(); });
    }
    std::unique_lock lock(mutex_);
    // A refused client certificate shows up as the connection dropping, not as a CONNACK.
    if (!cv_.wait_for(lock, timeout, [&] { return connect_rc_ >= 0 || dropped_while_connecting_; }))
        return make_error("test.mqtt",
                          "no CONNACK within " + std::to_string(timeout.count()) + " ms");
    if (connect_rc_ < 0)
        return make_error("test.mqtt", std::string("connection dropped before CONNACK: ") +
                                           mosquitto_strerror(disconnect_rc_));
    if (connect_rc_ != 0)
        return make_error("test.mqtt",
                          std::string("refused: ") + mosquitto_reason_string(connect_rc_));
    return {};
}

Expected<void> MqttTestClient::subscribe(const std::string& filter, int qos,
                                         std::chrono::milliseconds timeout) {
    int mid = 0;
    int rc = mosquitto_subscribe(mosq_, &mid, filter.c_str(), qos);
    if (rc != MOSQ_ERR_SUCCESS) return std::unexpected(mosq_error("subscribe " + filter, rc));
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return subacks_.contains(mid); }))
        return make_error("test.mqtt", "no SUBACK for " + filter);
    for (int g : subacks_[mid]) {
        if (g >= 0x80) return make_error("test.mqtt", "subscription refused: " + filter);
    }
    return {};
}

Expected<int> MqttTestClient::publish(const std::string& topic, const std::string& payload, int qos,
                                      bool retain, std::chrono::milliseconds timeout) {
    int mid = 0;
    int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                               payload.data(), qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) return std::unexpected(mosq_error("publish " + topic, rc));
    if (qos == 0) return 0;
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return pubacks_.contains(mid); }))
        return make_error("test.mqtt", "no PUBACK for " + topic);
    return pubacks_[mid];
}

void MqttTestClient::disconnect() {
    want_connection_ = false;
    if (mosq_ != nullptr) mosquitto_disconnect(mosq_);
}

void MqttTestClient::run_loop() {
    while (want_connection_) {
        // Returns after disconnect(), or on an error libmosquitto does not retry by itself.
        mosquitto_loop_forever(mosq_, 100, 1);
        if (!want_connection_) break;
        std::this_thread::sleep_for(std::chrono::seconds(1));  // reconnect pacing
        if (!want_connection_) break;  // disconnect() during the pause: do not connect again
        mosquitto_reconnect(mosq_);
    }
}

bool MqttTestClient::connected() const {
    std::lock_guard lock(mutex_);
    return connected_;
}

std::size_t MqttTestClient::message_count() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
}

std::vector<MqttMessage> MqttTestClient::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::vector<MqttMessage> MqttTestClient::messages_on(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    std::vector<MqttMessage> out;
    for (const auto& m : messages_) {
        if (m.topic == topic) out.push_back(m);
    }
    return out;
}

void MqttTestClient::clear() {
    std::lock_guard lock(mutex_);
    messages_.clear();
}

std::vector<MqttMessage> MqttTestClient::take_messages() {
    std::lock_guard lock(mutex_);
    return std::exchange(messages_, {});
}

bool MqttTestClient::wait_for(const std::function<bool(const std::vector<MqttMessage>&)>& predicate,
                              std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return predicate(messages_); });
}

bool MqttTestClient::wait_for_count(const std::string& topic, std::size_t n,
                                    std::chrono::milliseconds timeout) const {
    return wait_for(
        [&](const std::vector<MqttMessage>& ms) {
            std::size_t c = 0;
            for (const auto& m : ms) c += m.topic == topic ? 1u : 0u;
            return c >= n;
        },
        timeout);
}

void MqttTestClient::handle_connect(int rc) {
    {
        std::lock_guard lock(mutex_);
        connect_rc_ = rc;
        connected_ = rc == 0;
    }
    cv_.notify_all();
}

void MqttTestClient::handle_disconnect(int rc) {
    {
        std::lock_guard lock(mutex_);
        connected_ = false;
        disconnect_rc_ = rc;
        if (connect_rc_ < 0) dropped_while_connecting_ = true;
    }
    cv_.notify_all();
}

void MqttTestClient::handle_message(MqttMessage m) {
    {
        std::lock_guard lock(mutex_);
        messages_.push_back(std::move(m));
    }
    cv_.notify_all();
}

void MqttTestClient::handle_subscribe(int mid, std::vector<int> granted) {
    {
        std::lock_guard lock(mutex_);
        subacks_[mid] = std::move(granted);
    }
    cv_.notify_all();
}

void MqttTestClient::handle_publish(int mid, int reason) {
    {
        std::lock_guard lock(mutex_);
        pubacks_[mid] = reason;
    }
    cv_.notify_all();
}

}  // namespace lintel::test
