// Pipeline benchmark: the cloud side shared by every gateway measured — one mosquitto with mTLS
// (the cloud broker) and an observer whose persistent session keeps queuing while it is away, so
// that the first message after the broker returns is caught however fast the gateway is.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/pki.hpp"

namespace lintel::bench {

using BenchClock = std::chrono::steady_clock;

class CloudSide {
public:
    CloudSide(const std::filesystem::path& dir, const test::Pki& pki);
    // Starts the broker and sets up the observer's session on `topic` (QoS 1).
    bool start(const std::string& topic);
    // SIGTERM: the broker saves the observer's session; the outage begins.
    void stop();
    // Starts the broker again, connects the observer at once, and returns when the broker listens.
    BenchClock::time_point come_back();
    // Polls (1 ms) until `n` messages arrived; `first` is when the first one did. `tick` runs every
    // poll (RSS sampling). False when `timeout` passed first.
    bool wait_messages(std::size_t n, BenchClock::time_point& first, BenchClock::time_point& last,
                       const std::function<void()>& tick, std::chrono::seconds timeout);
    void clear() { observer_->clear(); }
    test::MosquittoBroker& broker() { return *broker_; }

private:
    test::Pki pki_;
    std::unique_ptr<test::MosquittoBroker> broker_;
    std::unique_ptr<test::MqttTestClient> observer_;
};

}  // namespace lintel::bench
