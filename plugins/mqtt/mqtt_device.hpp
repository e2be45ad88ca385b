// A device publishing JSON to a LAN MQTT broker, run by the host: subscription, mapping, stale,
// writes.
#pragma once

#include <memory>
#include <string>

#include "lintel/plugin.hpp"
#include "mqtt_config.hpp"

namespace lintel::mqttdev {

// The device; no I/O happens until start().
std::unique_ptr<sdk::Device> make_mqtt_device(std::string name, DeviceConfig config,
                                              sdk::DeviceHost& host);

}  // namespace lintel::mqttdev
