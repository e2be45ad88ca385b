// The Modbus TCP driver: turns a device's config into a ModbusDevice (validation only, no I/O).
#pragma once

#include <memory>

#include "lintel/plugin.hpp"

namespace lintel::modbus {

class ModbusDriver final : public sdk::Driver {
public:
    std::unique_ptr<sdk::Device> create(const sdk::DeviceSpec& spec, sdk::DeviceHost& host,
                                        sdk::ConfigErrors& errors) override;
};

}  // namespace lintel::modbus
