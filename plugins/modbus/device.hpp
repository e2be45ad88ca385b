// A Modbus TCP device run by the host: connection lifecycle, polling, health, writes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "lintel/plugin.hpp"

namespace lintel::modbus {

class Bus;

class ModbusDevice final : public sdk::Device {
public:
    // No I/O happens until start(). `bus` may be shared with other devices (same serial port,
    // or same TCP-to-RTU bridge); without one the device gets a bus of its own.
    ModbusDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host,
                 std::shared_ptr<Bus> bus);
    ModbusDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host);
    ~ModbusDevice() override;
    ModbusDevice(const ModbusDevice&) = delete;
    ModbusDevice& operator=(const ModbusDevice&) = delete;

    void start() override;
    void stop() override;
    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) override;

    struct Session;  // shared with the coroutines, so it outlives this object while they unwind

private:
    std::shared_ptr<Session> session_;
};

}  // namespace lintel::modbus
