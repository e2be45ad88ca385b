// Test helper: Modbus requests for the framing tests (TCP and RTU).
#pragma once

#include <cstdint>

#include "frame.hpp"

namespace lintel::modbus {

// A read of `count` registers or bits at `address`.
inline Request read(FunctionCode fc, std::uint16_t address, std::uint16_t count) {
    Request r;
    r.function = fc;
    r.address = address;
    r.count = count;
    return r;
}

}  // namespace lintel::modbus
