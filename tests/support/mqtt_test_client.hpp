// Test support: an MQTT client for the test side (observer / cloud), libmosquitto on its own
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lintel/error.hpp"
#include "support/pki.hpp"

struct mosquitto;
struct mqtt5__property;

namespace lintel::test {

struct MqttMessage {
    std::string topic;
    std::string payload;
    int qos = 0;
    bool retain = false;
};

struct MqttTestClientOptions {
    std::string host = "localhost";  // the server cert is for localhost / 127.0.0.1
    std::uint16_t port = 0;
    std::string client_id = "observer";
    std::filesystem::path ca_cert;  // empty: plain MQTT (no TLS)
    CertKey client;                 // mutual TLS: its CN is the broker username; empty: none
    std::string username;           // with a password file on the broker (LAN brokers)
    std::string password;
    bool mqtt5 = true;
    int keepalive_s = 30;
    // false: a persistent session; with a broker that has persistence on, QoS 1 messages that
    // arrive while this client is away (e.g. across a broker restart) are delivered when it
    // comes back. libmosquitto's thread reconnects on its own (after ~1 s).
    bool clean_session = true;

    // The observer (CN=observer) of a generated PKI.
    static MqttTestClientOptions observer(const Pki& pki, std::uint16_t port);
};

// All methods are thread-safe. Callbacks arrive on libmosquitto's thread (mosquitto_loop_start);
// that is fine for a test peer and keeps it out of the code under test's event loop.
class MqttTestClient {
public:
    explicit MqttTestClient(MqttTestClientOptions options);
    ~MqttTestClient();  // DISCONNECT, stop the thread, free
    MqttTestClient(const MqttTestClient&) = delete;
    MqttTestClient& operator=(const MqttTestClient&) = delete;

    // Connects and waits for a successful CONNACK.
    Expected<void> connect(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Subscribes and waits for the SUBACK (a refused filter is an error).
    Expected<void> subscribe(const std::string& filter, int qos = 1,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Publishes; for QoS > 0 waits for the PUBACK and returns its reason code (MQTT 5; 0 on 3.1.1).
    Expected<int> publish(const std::string& topic, const std::string& payload, int qos = 1,
                          bool retain = false,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void disconnect();

    bool connected() const;
    std::vector<MqttMessage> messages() const;
    std::size_t message_count() const;  // messages().size() without the copy (benchmarks poll it)
    std::vector<MqttMessage> messages_on(const std::string& topic) const;
    void clear();
    // Every message received so far, removed from the client (long runs that count as they go).
    std::vector<MqttMessage> take_messages();

    // Waits until `predicate(messages())` holds.
    bool wait_for(const std::function<bool(const std::vector<MqttMessage>&)>& predicate,
                  std::chrono::milliseconds timeout) const;
    // Waits until at least `n` messages arrived on exactly `topic`.
    bool wait_for_count(const std::string& topic, std::size_t n,
                        std::chrono::milliseconds timeout) const;

    // libmosquitto callbacks (public for the C trampolines only).
    void handle_connect(int rc);
    void handle_disconnect(int rc);
    void handle_message(MqttMessage m);
    void handle_subscribe(int mid, std::vector<int> granted);
    void handle_publish(int mid, int reason);

private:
    MqttTestClientOptions options_;
    ::mosquitto* mosq_ = nullptr;
    struct mqtt5__property* connect_props_ = nullptr;  // mosquitto_property
    // libmosquitto's network loop on our own thread: mosquitto_loop_start()'s thread ends for
    // good on a TLS or protocol error (a broker killed or restarted mid-handshake), which left
    // an observer deaf for the rest of a test. This one reconnects until disconnect().
    void run_loop();
    std::thread loop_thread_;
    std::atomic<bool> want_connection_{false};

    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    bool connected_ = false;
    int connect_rc_ = -1;
    int disconnect_rc_ = 0;
    bool dropped_while_connecting_ = false;
    std::vector<MqttMessage> messages_;
    std::map<int, std::vector<int>> subacks_;
    std::map<int, int> pubacks_;
};

}  // namespace lintel::test
