// The Modbus driver (see driver.hpp).
#include "driver.hpp"

#include "config.hpp"
#include "device.hpp"

namespace lintel::modbus {

std::unique_ptr<sdk::Device> ModbusDriver::create(const sdk::DeviceSpec& spec,
                                                  sdk::DeviceHost& host,
                                                  sdk::ConfigErrors& errors) {
    auto config = parse_device_config(spec.settings, errors);
    if (!config) return nullptr;
    std::string conflict;
    auto bus = buses_.acquire(host.executor(), spec.name, *config, conflict);
    if (bus == nullptr) {
        const sdk::ConfigNode* serial = spec.settings.find("serial");
        errors.add(serial != nullptr ? *serial : spec.settings, conflict);
        return nullptr;
    }
    return std::make_unique<ModbusDevice>(spec.name, std::move(*config), host, std::move(bus));
}

}  // namespace lintel::modbus
