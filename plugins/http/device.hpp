// An HTTP(S) device run by the host: polling, JSON mapping, health, writes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config.hpp"
#include "lintel/plugin.hpp"

namespace lintel::http {

class HttpDevice final : public sdk::Device {
public:
    // No I/O happens until start().
    HttpDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host);
    ~HttpDevice() override;
    HttpDevice(const HttpDevice&) = delete;
    HttpDevice& operator=(const HttpDevice&) = delete;

    void start() override;
    void stop() override;
    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) override;

    struct Session;  // shared with the coroutines, so it outlives this object while they unwind

private:
    std::shared_ptr<Session> session_;
};

}  // namespace lintel::http
