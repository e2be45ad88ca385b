// A BACnet/IP device run by the host: binding (Who-Is/I-Am), COV subscriptions with polling as
// the fallback, ReadPropertyMultiple polling, health, prioritised writes and timed relinquish.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "lintel/plugin.hpp"

namespace lintel::bacnet {

struct DeviceSession;
class NetworkRegistry;

class BacnetDevice final : public sdk::Device {
public:
    // No I/O happens until start().
    BacnetDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host,
                 std::shared_ptr<NetworkRegistry> registry);
    ~BacnetDevice() override;
    BacnetDevice(const BacnetDevice&) = delete;
    BacnetDevice& operator=(const BacnetDevice&) = delete;

    void start() override;
    void stop() override;
    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) override;

private:
    std::shared_ptr<DeviceSession> session_;  // shared with its coroutine and callbacks
};

}  // namespace lintel::bacnet
