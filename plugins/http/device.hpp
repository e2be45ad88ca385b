// An HTTP(S) device run by the host: polling, JSON mapping, health, writes.
#pragma once

#include <memory>
#include <string>

#include "config.hpp"
#include "lintel/plugin.hpp"

namespace lintel::http {

// The device; no I/O happens until start().
std::unique_ptr<sdk::Device> make_http_device(std::string name, DeviceConfig config,
                                              sdk::DeviceHost& host);

}  // namespace lintel::http
