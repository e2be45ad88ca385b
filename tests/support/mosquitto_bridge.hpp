// Test support: the gateway an integrator would build instead of lintel — a local mosquitto with
// persistence that devices publish to with QoS 1, bridged to the cloud broker over mutual TLS with
// QoS 1. Used by the side-by-side benchmark and the bridge fault tests; docs/benchmarks.md lists
// every configuration choice and why.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/pki.hpp"

namespace lintel::test {

struct BridgeOptions {
    std::uint16_t cloud_port = 0;   // the cloud broker (MosquittoBroker with mTLS) on 127.0.0.1
    std::filesystem::path ca_cert;  // bridge_cafile
    CertKey client;                 // bridge_certfile / bridge_keyfile (the gateway's identity)
    std::string remote_clientid;    // the bridge's client id at the cloud (the gateway id)
    std::string topic;              // bridged out with QoS 1, same name locally and remotely
    // Debian's mosquitto.conf sets only `persistence true`: autosave stays at 1800 s. nullopt keeps
    // that default; the fault tests never change it.
    std::optional<int> autosave_interval;
    // The queue for the bridge while the cloud is away: no message-count limit, 256 MiB of payload
    // (about 2.4M points of ~110 bytes), beyond which mosquitto drops new messages silently.
    long max_queued_bytes = 256L * 1024 * 1024;
    // First retry 1 s after a lost connection, doubling with jitter up to 30 s: lintel's defaults
    // (uplink.reconnect.initial / max), so "first point after the broker returns" compares alike.
    std::string restart_timeout = "1 30";

    // The usual setup: the PKI's CA and gateway certificate, the lintel telemetry topic.
    static BridgeOptions from_pki(const Pki& pki, std::uint16_t cloud_port);
};

class MosquittoBridge {
public:
    // Nothing runs until start(). `work_dir` holds mosquitto.conf, mosquitto.db and broker.log.
    MosquittoBridge(std::filesystem::path work_dir, BridgeOptions options);

    // Starts the local broker; returns once its device listener accepts (plain MQTT on a free
    // 127.0.0.1 port, anonymous: a LAN broker). After stop()/kill9(), start() uses the same port.
    Expected<void> start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // SIGTERM: mosquitto saves mosquitto.db on the way out (a big backlog takes a while).
    void stop() { broker_.stop(false, std::chrono::seconds(120)); }
    void kill9() { broker_.stop(true); }  // a crash or power cut of the process
    bool running() { return broker_.running(); }
    // Whether the bridge connected to the cloud at least `n` times: counts the cloud broker's
    // "New bridge connected ... as <remote_clientid>" lines in `cloud`'s whole log.
    static std::size_t connections_seen(const MosquittoBroker& cloud, const std::string& client_id);

    std::uint16_t port() const { return broker_.port(); }  // where devices publish
    pid_t pid() const { return broker_.pid(); }
    const BridgeOptions& options() const { return options_; }
    const MosquittoBroker& broker() const { return broker_; }
    // The persistence file; it exists only after an autosave, SIGUSR1 or a clean exit.
    std::filesystem::path db_path() const;

private:
    static BrokerOptions local_options(const BridgeOptions& bridge);

    BridgeOptions options_;
    MosquittoBroker broker_;
};

// A device's point as it would publish it to the local broker: one JSON object per message, the
// same fields and size as one point of lintel's telemetry (docs/payloads.md) plus its `seq`.
std::string device_point_payload(std::uint64_t seq);
// The `seq` of such a payload (or of lintel's telemetry message); nullopt when there is none.
std::optional<std::uint64_t> payload_seq(std::string_view payload);

}  // namespace lintel::test
