// Range and consistency checks of the uplink settings.
#include "uplink/uplink_config.hpp"

#include "uplink/topics.hpp"

namespace lintel::uplink {
namespace {

std::unexpected<Error> bad(const std::string& key, const std::string& why) {
    return make_error("config.uplink", key + ": " + why);
}

}  // namespace

Expected<void> UplinkConfig::validate() const {
    using namespace std::chrono_literals;
    if (host.empty()) return bad("uplink.host", "must not be empty");
    if (port == 0) return bad("uplink.port", "must be 1..65535");
    if (auto r = Topics::make(topic_prefix, gateway_id); !r) return std::unexpected(r.error());
    if (effective_client_id().size() > 128) return bad("uplink.client_id", "longer than 128 bytes");
    // libmosquitto refuses keepalive < 5; MQTT's field is 16 bits.
    if (keepalive < 5s || keepalive > 65535s) return bad("uplink.keepalive", "must be 5..65535 s");
    if (tls.ca_file.empty()) return bad("uplink.tls.ca_file", "is required (TLS is mandatory)");
    if (tls.cert_file.empty()) return bad("uplink.tls.cert_file", "is required (mutual TLS)");
    if (tls.key_file.empty()) return bad("uplink.tls.key_file", "is required (mutual TLS)");
    if (tls.crl_file && tls.crl_file->empty()) return bad("uplink.tls.crl_file", "is empty");
    if (reconnect.initial < 10ms || reconnect.initial > 1h)
        return bad("uplink.reconnect.initial", "must be 10 ms..1 h");
    if (reconnect.max < reconnect.initial || reconnect.max > 24h)
        return bad("uplink.reconnect.max", "must be >= uplink.reconnect.initial and <= 24 h");
    if (connect_timeout < 1s || connect_timeout > 10min)
        return bad("uplink.connect_timeout", "must be 1 s..10 min");
    if (batch.max_points < 1 || batch.max_points > 100000)
        return bad("uplink.batch.max_points", "must be 1..100000");
    if (batch.max_bytes < 1024 || batch.max_bytes >= 128 * 1024)
        return bad("uplink.batch.max_bytes", "must be 1 KiB..128 KiB (exclusive)");
    if (max_in_flight < 1 || max_in_flight > 65535)
        return bad("uplink.max_in_flight", "must be 1..65535");
    if (status_interval < 1s) return bad("uplink.status_interval", "must be at least 1 s");
    return {};
}

}  // namespace lintel::uplink
