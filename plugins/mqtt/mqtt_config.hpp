// The mqtt driver's device model and its strict parsing from a device's config map
// (docs/ipdevices.md, "MQTT devices").
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lintel/config_node.hpp"
#include "mapping.hpp"
#include "payload_template.hpp"

namespace lintel::mqttdev {

struct WriteConfig {
    std::string topic;                 // no wildcards
    jsonmap::PayloadTemplate payload;  // JSON-escaped template
    int qos = 1;
    bool retain = false;
};

struct PointConfig {
    jsonmap::PointMapping mapping;
    std::string topic;  // subscription filter; '+' and '#' allowed
    std::optional<std::chrono::milliseconds> stale_after;
    std::optional<WriteConfig> write;  // the point's own, else the device's
};

struct TlsConfig {
    std::filesystem::path ca_file;
    std::filesystem::path cert_file;  // optional, with key_file
    std::filesystem::path key_file;
};

struct DeviceConfig {
    std::string host;
    std::uint16_t port = 1883;
    std::optional<TlsConfig> tls;  // nullopt: plain MQTT
    std::string client_id;         // empty: "lintel-<device name>"
    std::string username;
    std::filesystem::path password_file;  // with username; 0600, read at every connect
    std::chrono::seconds keepalive{30};
    std::optional<WriteConfig> write;
    std::vector<PointConfig> points;

    const WriteConfig* write_for(const PointConfig& point) const {
        if (point.write) return &*point.write;
        return write ? &*write : nullptr;
    }
};

std::optional<DeviceConfig> parse_device_config(const sdk::ConfigNode& settings,
                                                sdk::ConfigErrors& errors);

}  // namespace lintel::mqttdev
