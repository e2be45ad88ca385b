// Maps the validated core::Config onto each module's own option structs.
#include "app/settings.hpp"

#include "app/app.hpp"

namespace lintel::app {

store::StoreOptions store_options(const core::Config& config) {
    store::StoreOptions o;
    o.buffer.path = config.buffer.path;
    o.buffer.max_bytes = config.buffer.max_bytes;
    o.buffer.synchronous =
        config.buffer.synchronous == "full" ? store::Synchronous::full : store::Synchronous::normal;
    o.buffer.gateway_id = config.gateway_id;
    o.commit_interval = config.buffer.commit_interval;
    o.commit_batch = config.buffer.commit_batch;
    // Enough for a few commit intervals of a busy gateway; beyond it points are refused and
    // counted.
    o.max_pending = std::max<std::size_t>(10'000, config.buffer.commit_batch * 2);
    return o;
}

uplink::UplinkConfig uplink_config(const core::Config& config) {
    const auto& u = config.uplink;
    uplink::UplinkConfig o;
    o.host = u.host;
    o.port = static_cast<std::uint16_t>(u.port);
    o.gateway_id = config.gateway_id;
    o.protocol =
        u.protocol == "mqtt311" ? uplink::MqttProtocol::mqtt311 : uplink::MqttProtocol::mqtt5;
    o.keepalive = std::chrono::duration_cast<std::chrono::seconds>(u.keepalive);
    o.topic_prefix = u.topic_prefix;
    o.tls.ca_file = u.tls.ca_file;
    o.tls.cert_file = u.tls.cert_file;
    o.tls.key_file = u.tls.key_file;
    o.tls.crl_file = u.tls.crl_file;
    o.tls.pkcs11 = u.tls.pkcs11;
    o.reconnect.initial = u.reconnect_initial;
    o.reconnect.max = u.reconnect_max;
    o.connect_timeout = u.connect_timeout;
    o.batch.max_points = u.batch_max_points;
    o.batch.max_bytes = u.batch_max_bytes;
    o.max_in_flight = static_cast<std::size_t>(u.max_in_flight);
    o.status_interval = u.status_interval;
    o.version = version_string();
    return o;
}

}  // namespace lintel::app
