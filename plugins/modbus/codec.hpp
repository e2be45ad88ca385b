// Conversion between raw Modbus registers/bits and typed engineering values, both directions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "config.hpp"
#include "frame.hpp"
#include "lintel/error.hpp"
#include "lintel/plugin.hpp"
#include "lintel/point.hpp"

namespace lintel::modbus {

// `registers` are the point's own registers (exactly p.width()), in the order the device sent
// them. Integers with scale 1 and offset 0 stay int64 (a uint64 above INT64_MAX becomes a double);
// everything else is raw * scale + offset as a double. Error "modbus.non_finite" for a NaN or
// infinite float, which has no place in telemetry.
Expected<sdk::Value> decode_registers(const PointConfig& p,
                                      std::span<const std::uint16_t> registers);

// Value of a point read from a coil or discrete input.
sdk::Value decode_bit(bool bit);

// The value published with quality=error before any good read: a zero of the point's kind.
sdk::Value zero_value(const PointConfig& p);

sdk::ValueKind value_kind(const PointConfig& p);

// The registers that hold engineering `value` for p (reverse of decode_registers): checks the
// value's kind, p's min/max, and the range of p's type after removing scale and offset; integer
// types are rounded to nearest. Errors: modbus.type_mismatch, modbus.out_of_range.
Expected<std::vector<std::uint16_t>> encode_registers(const PointConfig& p,
                                                      const sdk::Value& value);

// The request that writes `value` to p: FC 5 for a coil, FC 6 for a one-register point, FC 16
// otherwise. Adds modbus.not_writable to the errors of encode_registers.
Expected<Request> write_request(const PointConfig& p, const sdk::Value& value);

}  // namespace lintel::modbus
