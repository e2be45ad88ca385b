// Test support: MosquittoBridge — the local mosquitto + bridge configuration, on MosquittoBroker.
#include "support/mosquitto_bridge.hpp"

#include <charconv>

namespace lintel::test {

BridgeOptions BridgeOptions::from_pki(const Pki& pki, std::uint16_t cloud_port) {
    BridgeOptions o;
    o.cloud_port = cloud_port;
    o.ca_cert = pki.ca_cert;
    o.client = pki.gateway;
    o.remote_clientid = pki.gateway_id;
    o.topic = "lintel/v1/" + pki.gateway_id + "/telemetry";
    return o;
}

BrokerOptions MosquittoBridge::local_options(const BridgeOptions& b) {
    BrokerOptions o;
    o.plain = true;  // devices on the LAN: plain MQTT, anonymous (as most such setups run)
    o.verbose_log = false;
    o.persistence = true;
    o.autosave_interval = b.autosave_interval;
    // No count limit: the byte limit below bounds the queue instead (see BridgeOptions).
    o.max_queued_messages = 0;
    o.extra_conf_lines = {
        "max_queued_bytes " + std::to_string(b.max_queued_bytes),
        "connection cloud",
        "address 127.0.0.1:" + std::to_string(b.cloud_port),
        "remote_clientid " + b.remote_clientid,
        "topic " + b.topic + " out 1",
        "bridge_cafile " + b.ca_cert.string(),
        "bridge_certfile " + b.client.cert.string(),
        "bridge_keyfile " + b.client.key.string(),
        "bridge_tls_version tlsv1.2",
        // Keep the session at the cloud and, locally, the queue for the bridge across reconnects.
        "cleansession false",
        "restart_timeout " + b.restart_timeout,
    };
    return o;
}

MosquittoBridge::MosquittoBridge(std::filesystem::path work_dir, BridgeOptions options)
    : options_(std::move(options)), broker_(std::move(work_dir), local_options(options_)) {}

Expected<void> MosquittoBridge::start(std::chrono::milliseconds timeout) {
    return broker_.start(timeout);
}

std::size_t MosquittoBridge::connections_seen(const MosquittoBroker& cloud,
                                              const std::string& client_id) {
    const std::string log = cloud.log();
    const std::string needle = " as " + client_id + " ";
    std::size_t n = 0;
    // "New bridge connected" (try_private, the default, announces a bridge), else "New client".
    for (auto pos = log.find(" connected from "); pos != std::string::npos;
         pos = log.find(" connected from ", pos + 1)) {
        const auto eol = log.find('\n', pos);
        if (log.substr(pos, eol - pos).find(needle) != std::string::npos) ++n;
    }
    return n;
}

std::filesystem::path MosquittoBridge::db_path() const {
    return broker_.conf_path().parent_path() / "mosquitto.db";
}

std::string device_point_payload(std::uint64_t seq) {
    // ~110 bytes, like one point of a telemetry batch (about 100 bytes) plus its seq.
    return R"({"seq":)" + std::to_string(seq) + R"(,"device":"meter-)" + std::to_string(seq % 50) +
           R"(","point":"point-)" + std::to_string(seq % 40) + R"(","value":)" +
           std::to_string(seq % 100000) + R"(.25,"ts":17000000)" +
           std::to_string(10000 + seq % 90000) + R"(,"unit":"kWh","quality":"good"})";
}

std::optional<std::uint64_t> payload_seq(std::string_view payload) {
    const auto at = payload.find(R"("seq":)");
    if (at == std::string_view::npos) return std::nullopt;
    const char* begin = payload.data() + at + 6;
    std::uint64_t seq = 0;
    const auto [end, ec] = std::from_chars(begin, payload.data() + payload.size(), seq);
    if (ec != std::errc() || end == begin) return std::nullopt;
    return seq;
}

}  // namespace lintel::test
