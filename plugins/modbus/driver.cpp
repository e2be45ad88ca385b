// The Modbus TCP driver (see driver.hpp).
#include "driver.hpp"

#include "config.hpp"
#include "device.hpp"

namespace lintel::modbus {

std::unique_ptr<sdk::Device> ModbusDriver::create(const sdk::DeviceSpec& spec,
                                                  sdk::DeviceHost& host,
                                                  sdk::ConfigErrors& errors) {
    auto config = parse_device_config(spec.settings, errors);
    if (!config) return nullptr;
    return std::make_unique<ModbusDevice>(spec.name, std::move(*config), host);
}

}  // namespace lintel::modbus
