// The shared test double of sdk::DeviceHost (support/fake_device_host.hpp), under the names the
// Modbus tests use.
#pragma once

#include "support/fake_device_host.hpp"

namespace lintel::modbus::test {
using lintel::test::FakeHost;
using lintel::test::HealthReport;
}  // namespace lintel::modbus::test
