// The uplink's settings (config keys uplink.*, see docs/uplink.md) with their defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "lintel/error.hpp"
#include "store/batch_source.hpp"
#include "uplink/mqtt_client.hpp"

namespace lintel::uplink {

struct ReconnectPolicy {
    std::chrono::milliseconds initial{1000};  // uplink.reconnect.initial: first ceiling
    std::chrono::milliseconds max{30000};     // uplink.reconnect.max: the ceiling's cap
};

struct UplinkConfig {
    std::string host = "localhost";               // uplink.host
    std::uint16_t port = 8883;                    // uplink.port
    std::string gateway_id;                       // uplink.gateway_id: topic level and client id
    std::string client_id;                        // uplink.client_id: empty = gateway_id
    MqttProtocol protocol = MqttProtocol::mqtt5;  // uplink.protocol: mqtt5 | mqtt311
    std::chrono::seconds keepalive{60};           // uplink.keepalive
    std::string topic_prefix = "lintel/v1";       // uplink.topic_prefix
    TlsSettings tls;            // uplink.tls.{ca_file,cert_file,key_file,crl_file}
    ReconnectPolicy reconnect;  // uplink.reconnect.{initial,max}
    std::chrono::milliseconds connect_timeout{15000};  // uplink.connect_timeout
    store::BatchLimits batch;                          // uplink.batch.{max_points,max_bytes}
    std::size_t max_in_flight = 32;                    // uplink.max_in_flight
    std::chrono::milliseconds status_interval{60000};  // uplink.status_interval
    std::string version = "unknown";                   // set by the daemon, reported in status
    // Connected with a claim certificate (docs/provisioning.md): its ACL allows only the CSR
    // exchange, so no Last Will, no status, no telemetry, no outbox and no commands.
    bool claim = false;

    const std::string& effective_client_id() const {
        return client_id.empty() ? gateway_id : client_id;
    }
    // Range and consistency checks; the message names the uplink.* key.
    Expected<void> validate() const;
};

}  // namespace lintel::uplink
