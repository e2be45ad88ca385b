// The Modbus driver: turns a device's config into a ModbusDevice on its (possibly shared) bus
// (validation only, no I/O).
#pragma once

#include <memory>

#include "bus.hpp"
#include "lintel/plugin.hpp"

namespace lintel::modbus {

class ModbusDriver final : public sdk::Driver {
public:
    std::unique_ptr<sdk::Device> create(const sdk::DeviceSpec& spec, sdk::DeviceHost& host,
                                        sdk::ConfigErrors& errors) override;

private:
    BusRegistry buses_;  // devices on one serial port or TCP-to-RTU bridge share a bus
};

}  // namespace lintel::modbus
