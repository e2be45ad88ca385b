// Test support: a bare libmosquitto QoS 1 publisher on the caller's thread (the raw-limit
// benchmark, and the device that feeds a local broker in the mosquitto-bridge comparison).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "support/pki.hpp"

struct mosquitto;

namespace lintel::test {

struct Qos1PublisherOptions {
    std::string host = "localhost";
    std::uint16_t port = 0;
    std::string client_id = "publisher";
    std::filesystem::path ca_cert;  // empty: plain MQTT
    CertKey client;                 // mutual TLS (with ca_cert)
    int window = 32;                // QoS 1 messages in flight (unacknowledged) at most
    bool mqtt5 = true;
    bool tcp_nodelay = true;
};

// What one run() did. `acked_seqs` are the seqs whose PUBACK came back (reason < 0x80): the
// points the broker accepted.
struct PublishResult {
    std::uint64_t sent = 0;   // PUBLISH calls (a message re-sent after a reconnect counts once)
    std::uint64_t acked = 0;  // accepted PUBACKs
    std::uint64_t refused = 0;
    std::size_t reconnects = 0;
    double seconds = 0;  // first PUBLISH to the end of run()
};

class Qos1Publisher {
public:
    explicit Qos1Publisher(Qos1PublisherOptions options);
    ~Qos1Publisher();
    Qos1Publisher(const Qos1Publisher&) = delete;
    Qos1Publisher& operator=(const Qos1Publisher&) = delete;

    // Connects and waits for the CONNACK.
    Expected<void> connect(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Publishes seqs first..first+count-1 on `topic`, payload(seq) each (copied by libmosquitto),
    // keeping at most `window` unacknowledged, on the calling thread. `rate` > 0 paces to that
    // many messages/s. A dropped connection is re-established every 20 ms (libmosquitto re-sends
    // the unacknowledged messages with the same message id). Returns when every message was
    // acknowledged, `timeout` passed or stop() was called.
    PublishResult run(const std::string& topic, std::uint64_t first, std::uint64_t count,
                      const std::function<std::string_view(std::uint64_t)>& payload,
                      std::chrono::milliseconds timeout, double rate = 0);
    // Thread-safe: makes run() return after the current loop turn.
    void stop() { stop_ = true; }

    // Thread-safe: seqs acknowledged so far (all runs), and how many.
    std::vector<std::uint64_t> acked_seqs() const;
    std::size_t acked_count() const;

    // libmosquitto callbacks (public for the C trampolines only).
    void handle_connect(int rc);
    void handle_publish(int mid, int reason);

private:
    Qos1PublisherOptions options_;
    ::mosquitto* mosq_ = nullptr;
    std::atomic<bool> stop_{false};
    bool connected_ = false;
    int connect_rc_ = -1;
    std::uint64_t refused_ = 0;
    std::map<int, std::uint64_t> seq_of_mid_;  // in flight
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> acked_;
};

}  // namespace lintel::test
