// The BACnet/IP driver (see driver.hpp).
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "driver.hpp"

#include "config.hpp"
#include "device.hpp"
#include "network_registry.hpp"

namespace lintel::bacnet {

BacnetDriver::BacnetDriver() : registry_(std::make_shared<NetworkRegistry>()) {}

std::unique_ptr<sdk::Device> BacnetDriver::create(const sdk::DeviceSpec& spec,
                                                  sdk::DeviceHost& host,
                                                  sdk::ConfigErrors& errors) {
    auto config = parse_device_config(spec.settings, errors);
    if (!config) return nullptr;
    if (auto conflict = registry_->declare(spec.name, config->link)) {
        const sdk::ConfigNode* at = spec.settings.find("local");
        errors.add(at != nullptr ? *at : spec.settings, *conflict);
        return nullptr;
    }
    return std::make_unique<BacnetDevice>(spec.name, std::move(*config), host, registry_);
}

}  // namespace lintel::bacnet
