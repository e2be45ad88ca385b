// Strict parsing of an mqtt device map into DeviceConfig (see docs/ipdevices.md for every key).
#include "mqtt_config.hpp"

#include "lintel/config_reader.hpp"
#include "topic.hpp"

namespace lintel::mqttdev {
namespace {

using namespace std::chrono_literals;
using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;

std::optional<WriteConfig> read_write(const ConfigNode& node, jsonmap::ValueType kind,
                                      ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(node, errors);
    if (!r.ok()) return std::nullopt;
    WriteConfig w;
    if (auto topic = r.string("topic")) {
        w.topic = *topic;
        if (auto why = check_topic(w.topic)) errors.add(jsonmap::key_node(r, "topic"), *why);
    }
    if (auto payload = r.string("payload")) {
        if (auto t = jsonmap::PayloadTemplate::parse(*payload, jsonmap::Escape::json, kind); !t) {
            errors.add(jsonmap::key_node(r, "payload"), t.error().message);
        } else {
            w.payload = std::move(*t);
        }
    }
    w.qos = static_cast<int>(r.integer("qos", 1, 0, 1));
    w.retain = r.boolean("retain", false);
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return w;
}

}  // namespace

std::optional<DeviceConfig> parse_device_config(const ConfigNode& settings, ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(settings, errors);
    if (!r.ok()) return std::nullopt;

    DeviceConfig d;
    d.host = r.string("host").value_or("");
    if (r.has("host") && d.host.empty())
        errors.add(jsonmap::key_node(r, "host"), "host must not be empty");
    if (const ConfigNode* tls = r.child("tls")) {
        MapReader t(*tls, errors);
        if (t.ok()) {
            TlsConfig c;
            c.ca_file = t.string("ca_file").value_or("");
            c.cert_file = t.string("cert_file", "");
            c.key_file = t.string("key_file", "");
            if (c.cert_file.empty() != c.key_file.empty())
                errors.add(*tls, "cert_file and key_file go together");
            t.finish();
            d.tls = std::move(c);
        }
    }
    d.port = static_cast<std::uint16_t>(r.integer("port", d.tls ? 8883 : 1883, 1, 65535));
    d.client_id = r.string("client_id", "");
    if (d.client_id.size() > 64)
        errors.add(jsonmap::key_node(r, "client_id"), "client_id is over 64 bytes");
    d.username = r.string("username", "");
    d.password_file = r.string("password_file", "");
    if (!d.password_file.empty() && d.username.empty())
        errors.add(jsonmap::key_node(r, "password_file"), "password_file needs a username");
    d.keepalive =
        std::chrono::duration_cast<std::chrono::seconds>(r.duration("keepalive", 30s, 5s, 1h));

    const ConfigNode* device_write = r.child("write");
    if (device_write != nullptr)
        d.write = read_write(*device_write, jsonmap::ValueType::string, errors);

    PointConfig pending;
    jsonmap::read_points(
        r,
        [&](MapReader& p, const std::optional<jsonmap::PointMapping>& mapping) {
            pending = PointConfig{};
            if (auto topic = p.string("topic")) {
                pending.topic = *topic;
                if (auto why = check_filter(pending.topic))
                    errors.add(jsonmap::key_node(p, "topic"), *why);
            }
            if (p.has("stale_after")) pending.stale_after = p.duration("stale_after", 0ms, 1s, 24h);
            const ConfigNode* w = p.child("write");
            if (w == nullptr || !mapping) return;
            if (!mapping->writable) {
                errors.add(*w, "write needs writable: true");
            } else {
                pending.write = read_write(*w, mapping->published_type(), errors);
            }
        },
        [&](jsonmap::PointMapping mapping, const ConfigNode& item) {
            if (mapping.writable && !pending.write) {
                if (device_write == nullptr) {
                    errors.add(item, "writable point " + mapping.name +
                                         " needs a write (on the point or the device)");
                } else if (d.write) {
                    read_write(*device_write, mapping.published_type(), errors);
                }
            }
            pending.mapping = std::move(mapping);
            d.points.push_back(std::move(pending));
        });
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return d;
}

}  // namespace lintel::mqttdev
