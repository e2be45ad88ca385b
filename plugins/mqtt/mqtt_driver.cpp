// The mqtt driver (see mqtt_driver.hpp).
#include "mqtt_driver.hpp"

#include "mqtt_config.hpp"
#include "mqtt_device.hpp"

namespace lintel::mqttdev {

std::unique_ptr<sdk::Device> MqttDriver::create(const sdk::DeviceSpec& spec, sdk::DeviceHost& host,
                                                sdk::ConfigErrors& errors) {
    auto config = parse_device_config(spec.settings, errors);
    if (!config) return nullptr;
    return make_mqtt_device(spec.name, std::move(*config), host);
}

}  // namespace lintel::mqttdev
