// From BACnet to lintel's point model and back: the telemetry value of a property, the quality its
// status-flags give, the unit text, and the typed present-value a write sends. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.hpp"
#include "lintel/error.hpp"
#include "lintel/plugin.hpp"
#include "lintel/point.hpp"
#include "value.hpp"

namespace lintel::bacnet {

// status-flags bits (BACnetStatusFlags, bit 0 first).
namespace status_flag {
inline constexpr std::size_t in_alarm = 0;
inline constexpr std::size_t fault = 1;
inline constexpr std::size_t overridden = 2;
inline constexpr std::size_t out_of_service = 3;
}  // namespace status_flag

// The published value of `point` from the values a device returned for its property:
// present-value of a binary object → bool (active = true); REAL/Double → double; Unsigned,
// Signed, ENUMERATED → integer; BOOLEAN → bool; CharacterString → string; BitString → a string of
// '0'/'1', bit 0 first; NULL → the string "null". bacnet.not_telemetry for the other types,
// non-finite reals and lists of several values.
Expected<sdk::Value> telemetry_value(const PointConfig& point, const Values& values);

// fault → error (the value cannot be trusted); out-of-service → stale (the value does not follow
// the field; someone overrode it); otherwise good. No flags (not read, or refused) → good.
sdk::Quality quality_of(const std::optional<BitString>& status_flags);
// The status-flags from a property's values, when they are one BitString.
std::optional<BitString> status_flags_of(const Values& values);

// What a dashboard shows for a BACnet `units` value: "°C", "kWh"; the standard name for units
// without a symbol ("units-<n>" when unknown); "" for no-units.
std::string unit_text(std::uint32_t units);

// The kind a write command must carry for this point (binary → boolean, multi-state → integer,
// analog → real).
sdk::ValueKind write_kind(const PointConfig& point);

// The application value a write of `value` to `point` sends: REAL for analog, ENUMERATED 0/1 for
// binary (true/false or 0/1), Unsigned 1..2^32-1 for multi-state (a whole number). Errors
// bacnet.type_mismatch and bacnet.out_of_range with a message naming the point.
Expected<Value> write_value(const PointConfig& point, const sdk::Value& value);

// A stable subscriber process id for a device (FNV-1a of its name, in 1..2^22): notifications for
// subscriptions made before a restart still reach the same device, and a renewed subscription
// replaces the old one in the device's table instead of adding a second.
std::uint32_t process_id_for(std::string_view device_name);

}  // namespace lintel::bacnet
