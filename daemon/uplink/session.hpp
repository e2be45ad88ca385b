// The uplink session: keeps one MQTT connection to the broker alive (backoff, deadlines),
// drains the store over it, and keeps the gateway's retained status current.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "store/batch_source.hpp"
#include "store/buffer_stats.hpp"
#include "uplink/link_state.hpp"
#include "uplink/mqtt_client.hpp"
#include "uplink/telemetry_pump.hpp"
#include "uplink/topics.hpp"
#include "uplink/uplink_config.hpp"

namespace lintel::uplink {

struct SessionCounters {
    std::uint64_t connects = 0;         // CONNACK accepted
    std::uint64_t disconnects = 0;      // established connections that ended (not by stop)
    std::uint64_t failed_attempts = 0;  // attempts that never reached CONNACK
    PumpCounters telemetry;
};

// Everything runs on `executor` (the daemon's loop); no method is thread-safe.
class Session {
public:
    using StatsFn = std::function<store::BufferStats()>;
    using StateListener = std::function<void(LinkState state, std::string_view reason)>;
    using CommandHandler = std::function<void(const MqttMessage& message)>;

    Session(asio::any_io_executor executor, UplinkConfig config, store::BatchSource& source,
            sdk::Logger& log, StatsFn stats);
    // For tests: another MqttClient implementation.
    Session(asio::any_io_executor executor, UplinkConfig config, store::BatchSource& source,
            sdk::Logger& log, StatsFn stats, MqttClientFactory factory);
    // Without async_stop() first this drops the connection without DISCONNECT, so the broker
    // publishes the Last Will ("offline"), exactly as when the process dies.
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Validates the config (topics, ranges) and starts connecting. Call once.
    Expected<void> start();
    // Clean shutdown: publish the retained offline status, wait for its PUBACK, DISCONNECT.
    // `done` runs (on the executor) when finished or when `deadline` passed; if the status was
    // not acknowledged in time the socket is dropped without DISCONNECT, so the broker's Last
    // Will still marks the gateway offline.
    void async_stop(std::chrono::milliseconds deadline, std::function<void()> done);

    LinkState state() const;
    // One line for systemd STATUS=, e.g. "uplink connected to broker:8883 (3 in flight)".
    std::string link_state_string() const;
    // Called on every state change (after it happened), with the reason if there is one.
    void on_state_change(StateListener listener);
    // Subscribes to {prefix}/{gateway_id}/cmd (QoS 1) on every connection and hands each
    // message to `handler` on the loop. Without a handler the gateway subscribes to nothing.
    // Set before start().
    void on_command(CommandHandler handler);
    // Subscribes to {prefix}/{gateway_id}/certificate (QoS 1) on every connection and hands
    // each message to `handler` on the loop (the certificate lifecycle). Set before start().
    void on_certificate_reply(CommandHandler handler);
    // Publishes one small control message (QoS 1, not retained) on {prefix}/{gateway_id}/
    // {subtopic} now; refused (uplink.offline) unless connected. Not buffered: the caller
    // retries on its own deadline (a CSR is worthless once its request has timed out).
    Expected<void> publish_now(std::string_view subtopic, std::string_view payload);
    // A second source, drained before telemetry on every connection: each batch goes to
    // {prefix}/{gateway_id}/{batch.topic} with QoS 1 and is acknowledged to the source on
    // PUBACK. Set before start(); `outbox` must outlive the session.
    void attach_outbox(store::BatchSource& outbox);
    // More for the retained status message: a JSON object whose members are added to it.
    void set_status_extra(std::function<std::string()> extra);
    const Topics& topics() const;
    SessionCounters counters() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace lintel::uplink
