// The http driver: turns a device's config into an HttpDevice (validation only, no I/O).
#pragma once

#include <memory>

#include "lintel/plugin.hpp"

namespace lintel::http {

class HttpDriver final : public sdk::Driver {
public:
    std::unique_ptr<sdk::Device> create(const sdk::DeviceSpec& spec, sdk::DeviceHost& host,
                                        sdk::ConfigErrors& errors) override;
};

}  // namespace lintel::http
