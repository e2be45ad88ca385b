// Shared by the Modbus fuzz targets: the request a fuzzed answer supposedly responds to, picked
// by the input's first four bytes, and a check that aborts (a finding) when it fails.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "frame.hpp"

namespace lintel::modbus::fuzz {

inline constexpr std::size_t kRequestBytes = 4;

// data[0] % 8: function; data[1..2]: address; data[3]: quantity (plus 1000, an impossible read
// quantity, when data[0] has its top bit set) and the number of values of a write.
inline Request request_from(const std::uint8_t* data) {
    constexpr FunctionCode kFunctions[] = {FunctionCode::read_coils,
                                           FunctionCode::read_discrete_inputs,
                                           FunctionCode::read_holding_registers,
                                           FunctionCode::read_input_registers,
                                           FunctionCode::write_single_coil,
                                           FunctionCode::write_single_register,
                                           FunctionCode::write_multiple_coils,
                                           FunctionCode::write_multiple_registers};
    Request request;
    request.function = kFunctions[data[0] % 8];
    request.address = static_cast<std::uint16_t>((data[1] << 8) | data[2]);
    request.count = static_cast<std::uint16_t>(data[3] % 126 + (data[0] & 0x80 ? 1000 : 0));
    request.registers.assign(data[3] % 3 + 1, static_cast<std::uint16_t>(data[1]));
    request.bits.assign(data[3] % 3 + 1, (data[2] & 1) != 0);
    return request;
}

inline void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace lintel::modbus::fuzz
