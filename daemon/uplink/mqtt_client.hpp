// Our MQTT client interface: the uplink session and the mqtt device driver talk to this, and only
// mosquitto_client.cpp talks to libmosquitto (library lintel_mqtt_client). One client object is
// one connection attempt (see Session for why).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::uplink {

enum class MqttProtocol { mqtt5, mqtt311 };
constexpr std::string_view to_string(MqttProtocol p) {
    return p == MqttProtocol::mqtt5 ? "MQTT 5" : "MQTT 3.1.1";
}

// TLS material. The server name checked against the broker certificate is the host.
struct TlsSettings {
    std::filesystem::path ca_file;    // CA(s) that issued the broker certificate (PEM)
    std::filesystem::path cert_file;  // our client certificate chain (PEM); empty: none (LAN
                                      // brokers of the mqtt driver; the uplink always has one)
    std::filesystem::path key_file;   // its private key (PEM, mode 0600), or a pkcs11: URI
    std::optional<std::filesystem::path> crl_file;  // CRL(s) for ca_file: broker cert revocation
    std::optional<pkcs11::TokenSettings> pkcs11;    // set: key_file is a key in this token
};

struct MqttWill {
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retain = true;
};

struct MqttClientOptions {
    std::string host;
    std::uint16_t port = 8883;
    std::string client_id;
    MqttProtocol protocol = MqttProtocol::mqtt5;
    std::chrono::seconds keepalive{60};
    TlsSettings tls;
    bool use_tls = true;   // false: plain MQTT (LAN brokers of the mqtt driver only)
    std::string username;  // empty: none
    std::string password;  // with username; never logged
    std::optional<MqttWill> will;
    int max_in_flight = 32;  // QoS 1 messages outstanding before the library queues locally
};

// A code plus operator-facing text: CONNACK / PUBACK reason codes (MQTT 5), CONNACK return
// codes (3.1.1), or a library error, always with a readable explanation.
struct MqttResult {
    int code = 0;
    std::string text;
};

// A PUBLISH the broker delivered to us (on a subscription).
struct MqttMessage {
    std::string topic;
    std::string payload;
    int qos = 0;
    bool retain = false;  // the broker's retained copy, replayed to a new subscription
};

// Delivered on the executor, never from inside the library, so a handler may destroy the client.
struct MqttEvents {
    std::function<void(MqttResult)> on_connect;  // code 0: accepted; else refused (text says why)
    std::function<void(MqttResult)> on_disconnect;  // why the connection ended (incl. TLS failures)
    std::function<void(int mid, MqttResult)> on_publish;  // QoS 1 PUBACK; code >= 0x80 is a refusal
    // SUBACK: the granted QoS (or reason code >= 0x80, a refusal) per requested topic.
    std::function<void(int mid, std::vector<int> granted)> on_subscribe;
    std::function<void(MqttMessage)> on_message;
};

class MqttClient {
public:
    // Destroying a client closes its socket without DISCONNECT, like a crash: the broker then
    // publishes the Last Will. Call disconnect() first for a clean end.
    virtual ~MqttClient() = default;
    // Starts connecting; the outcome arrives as on_connect or on_disconnect.
    virtual Expected<void> connect() = 0;
    // Queues a PUBLISH; returns the message id that on_publish will report.
    virtual Expected<int> publish(std::string_view topic, std::string_view payload, int qos,
                                  bool retain) = 0;
    // Queues a SUBSCRIBE; returns the message id that on_subscribe will report.
    virtual Expected<int> subscribe(std::string_view topic, int qos) = 0;
    // Sends DISCONNECT (normal, so no Will); on_disconnect follows.
    virtual Expected<void> disconnect() = 0;
};

using MqttClientFactory = std::function<Expected<std::unique_ptr<MqttClient>>(
    asio::any_io_executor, const MqttClientOptions&, MqttEvents, sdk::Logger&)>;

// The libmosquitto implementation, driven from the executor's loop (no library thread).
Expected<std::unique_ptr<MqttClient>> make_mosquitto_client(asio::any_io_executor executor,
                                                            const MqttClientOptions& options,
                                                            MqttEvents events, sdk::Logger& log);

}  // namespace lintel::uplink
