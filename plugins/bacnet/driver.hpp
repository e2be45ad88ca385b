// The BACnet/IP driver: turns a device's config into a BacnetDevice (validation only, no I/O)
// and owns the local endpoints its devices share.
#pragma once

#include <memory>

#include "lintel/plugin.hpp"

namespace lintel::bacnet {

class NetworkRegistry;

class BacnetDriver final : public sdk::Driver {
public:
    BacnetDriver();
    std::unique_ptr<sdk::Device> create(const sdk::DeviceSpec& spec, sdk::DeviceHost& host,
                                        sdk::ConfigErrors& errors) override;

private:
    // Shared with the devices: a device may outlive a reload's driver by a few handlers.
    std::shared_ptr<NetworkRegistry> registry_;
};

}  // namespace lintel::bacnet
