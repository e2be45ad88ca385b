// Test support: Qos1Publisher — libmosquitto QoS 1 publishing with a window, on the caller's
// thread.
#include "support/qos1_publisher.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <thread>

namespace lintel::test {
namespace {

using Clock = std::chrono::steady_clock;

void lib_init_once() {
    static const int rc = mosquitto_lib_init();
    (void)rc;
}

void on_connect(mosquitto*, void* self, int rc, int, const mosquitto_property*) {
    static_cast<Qos1Publisher*>(self)->handle_connect(rc);
}

void on_publish(mosquitto*, void* self, int mid, int reason, const mosquitto_property*) {
    static_cast<Qos1Publisher*>(self)->handle_publish(mid, reason);
}

}  // namespace

Qos1Publisher::Qos1Publisher(Qos1PublisherOptions options) : options_(std::move(options)) {
    lib_init_once();
    mosq_ = mosquitto_new(options_.client_id.c_str(), true, this);
    if (mosq_ == nullptr) return;
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION,
                         options_.mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_int_option(mosq_, MOSQ_OPT_SEND_MAXIMUM, options_.window);
    mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, options_.tcp_nodelay ? 1 : 0);
    mosquitto_connect_v5_callback_set(mosq_, on_connect);
    mosquitto_publish_v5_callback_set(mosq_, on_publish);
}

Qos1Publisher::~Qos1Publisher() {
    if (mosq_ == nullptr) return;
    if (connected_) {
        mosquitto_disconnect(mosq_);
        mosquitto_loop(mosq_, 10, 1);
    }
    mosquitto_destroy(mosq_);
}

void Qos1Publisher::handle_connect(int rc) {
    connect_rc_ = rc;
    connected_ = rc == 0;
}

void Qos1Publisher::handle_publish(int mid, int reason) {
    const auto it = seq_of_mid_.find(mid);
    if (it == seq_of_mid_.end()) return;
    if (reason >= 0x80) {
        ++refused_;
    } else {
        std::lock_guard lock(mutex_);
        acked_.push_back(it->second);
    }
    seq_of_mid_.erase(it);
}

Expected<void> Qos1Publisher::connect(std::chrono::milliseconds timeout) {
    if (mosq_ == nullptr) return make_error("test.mqtt", "mosquitto_new failed");
    if (!options_.ca_cert.empty()) {
        const bool mutual = !options_.client.cert.empty();
        const int rc = mosquitto_tls_set(mosq_, options_.ca_cert.c_str(), nullptr,
                                         mutual ? options_.client.cert.c_str() : nullptr,
                                         mutual ? options_.client.key.c_str() : nullptr, nullptr);
        if (rc != MOSQ_ERR_SUCCESS)
            return make_error("test.mqtt", std::string("tls_set: ") + mosquitto_strerror(rc));
        mosquitto_tls_opts_set(mosq_, 1, "tlsv1.2", nullptr);
    }
    connect_rc_ = -1;
    const int rc = mosquitto_connect(mosq_, options_.host.c_str(), options_.port, 60);
    if (rc != MOSQ_ERR_SUCCESS)
        return make_error("test.mqtt", "connect to " + options_.host + ":" +
                                           std::to_string(options_.port) + ": " +
                                           mosquitto_strerror(rc));
    const auto deadline = Clock::now() + timeout;
    while (connect_rc_ < 0 && Clock::now() < deadline) {
        if (mosquitto_loop(mosq_, 50, 1) != MOSQ_ERR_SUCCESS) break;
    }
    if (!connected_)
        return make_error("test.mqtt", "no successful CONNACK from " + options_.host + ":" +
                                           std::to_string(options_.port));
    return {};
}

PublishResult Qos1Publisher::run(const std::string& topic, std::uint64_t first, std::uint64_t count,
                                 const std::function<std::string_view(std::uint64_t)>& payload,
                                 std::chrono::milliseconds timeout, double rate) {
    PublishResult r;
    const std::uint64_t acked0 = acked_count();
    const std::uint64_t refused0 = refused_;
    const auto t0 = Clock::now();
    const auto deadline = t0 + timeout;
    auto done = [&] { return acked_count() - acked0 + (refused_ - refused0) >= count; };
    while (!done() && !stop_ && Clock::now() < deadline) {
        if (connected_) {
            std::uint64_t allowed = count;
            if (rate > 0) {
                const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
                allowed =
                    std::min<std::uint64_t>(count, static_cast<std::uint64_t>(secs * rate) + 1);
            }
            while (r.sent < allowed &&
                   seq_of_mid_.size() < static_cast<std::size_t>(options_.window)) {
                const std::uint64_t seq = first + r.sent;
                const std::string_view body = payload(seq);
                int mid = 0;
                const int rc =
                    mosquitto_publish_v5(mosq_, &mid, topic.c_str(), static_cast<int>(body.size()),
                                         body.data(), 1, false, nullptr);
                if (rc != MOSQ_ERR_SUCCESS) break;  // connection lost: reconnect below
                seq_of_mid_[mid] = seq;
                ++r.sent;
            }
        }
        const int rc = mosquitto_loop(mosq_, rate > 0 ? 1 : 10, 1);
        if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_PROTOCOL ||
            rc == MOSQ_ERR_ERRNO || rc == MOSQ_ERR_TLS) {
            connected_ = false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a retry interval
            if (mosquitto_reconnect(mosq_) == MOSQ_ERR_SUCCESS) ++r.reconnects;
        }
    }
    r.acked = acked_count() - acked0;
    r.refused = refused_ - refused0;
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return r;
}

std::vector<std::uint64_t> Qos1Publisher::acked_seqs() const {
    std::lock_guard lock(mutex_);
    return acked_;
}

std::size_t Qos1Publisher::acked_count() const {
    std::lock_guard lock(mutex_);
    return acked_.size();
}

}  // namespace lintel::test
