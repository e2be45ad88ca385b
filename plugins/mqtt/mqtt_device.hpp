// A device publishing JSON to a LAN MQTT broker, run by the host: subscription, mapping, stale,
// writes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lintel/plugin.hpp"
#include "mqtt_config.hpp"

namespace lintel::mqttdev {

class MqttDevice final : public sdk::Device {
public:
    // No I/O happens until start().
    MqttDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host);
    ~MqttDevice() override;
    MqttDevice(const MqttDevice&) = delete;
    MqttDevice& operator=(const MqttDevice&) = delete;

    void start() override;
    void stop() override;
    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) override;

    struct Session;  // shared with the coroutines, so it outlives this object while they unwind

private:
    std::shared_ptr<Session> session_;
};

}  // namespace lintel::mqttdev
