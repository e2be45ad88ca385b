// The http driver (see driver.hpp).
#include "driver.hpp"

#include "config.hpp"
#include "device.hpp"

namespace lintel::http {

std::unique_ptr<sdk::Device> HttpDriver::create(const sdk::DeviceSpec& spec, sdk::DeviceHost& host,
                                                sdk::ConfigErrors& errors) {
    auto config = parse_device_config(spec.settings, errors);
    if (!config) return nullptr;
    return make_http_device(spec.name, std::move(*config), host);
}

}  // namespace lintel::http
