// The decoded BACnet value model: one variant for every application data type, plus the
// context-tagged and constructed forms a property value can take, with text/JSON renderings and
// the numeric conversions the driver uses to publish present-value as telemetry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/point.hpp"
#include "names.hpp"

namespace lintel::bacnet {

inline constexpr std::uint8_t kUnspecified = 255;  // "any" in a Date or Time field

struct Null {
    bool operator==(const Null&) const = default;
};

struct Enumerated {
    std::uint32_t value = 0;
    bool operator==(const Enumerated&) const = default;
};

struct OctetString {
    std::vector<std::uint8_t> bytes;
    bool operator==(const OctetString&) const = default;
};

struct BitString {
    std::vector<bool>
        bits;  // bit 0 first (status-flags: in-alarm, fault, overridden, out-of-service)
    bool operator==(const BitString&) const = default;
};

// Fields as on the wire; each may be kUnspecified. month 13/14 = odd/even months, day 32 = last
// day of the month, 33/34 = odd/even days; weekday 1 = Monday.
struct Date {
    std::uint8_t year_since_1900 = kUnspecified;
    std::uint8_t month = kUnspecified;
    std::uint8_t day = kUnspecified;
    std::uint8_t weekday = kUnspecified;
    bool operator==(const Date&) const = default;
};

struct Time {
    std::uint8_t hour = kUnspecified;
    std::uint8_t minute = kUnspecified;
    std::uint8_t second = kUnspecified;
    std::uint8_t hundredths = kUnspecified;
    bool operator==(const Time&) const = default;
};

struct ObjectId {
    ObjectType type = ObjectType::device;
    std::uint32_t instance = 0;  // 0..kMaxInstance
    bool operator==(const ObjectId&) const = default;
};

// A context-tagged primitive inside a property value: its type is fixed by the property's
// definition, which this layer does not know, so the content bytes are kept as they came.
struct ContextValue {
    std::uint8_t tag = 0;
    std::vector<std::uint8_t> data;
    bool operator==(const ContextValue&) const = default;
};

struct Value;

// Opening tag `tag` ... closing tag `tag` inside a property value (a constructed datatype such as
// a BACnetDateTime or a choice); nesting is capped at kMaxNesting when decoding.
struct Constructed {
    std::uint8_t tag = 0;
    std::vector<Value> items;
    bool operator==(const Constructed& other) const;
};

using ValueVariant =
    std::variant<Null, bool, std::uint64_t, std::int64_t, float, double, OctetString, std::string,
                 BitString, Enumerated, Date, Time, ObjectId, ContextValue, Constructed>;

// One application value. Unsigned is std::uint64_t, Signed std::int64_t, REAL float, Double
// double, CharacterString std::string (always UTF-8 once decoded).
struct Value : ValueVariant {
    using ValueVariant::ValueVariant;
    bool operator==(const Value& other) const {
        return static_cast<const ValueVariant&>(*this) == static_cast<const ValueVariant&>(other);
    }
};

// The value of one property: a single element for most properties, several for lists and arrays
// read whole (object-list, priority-array, state-text).
using Values = std::vector<Value>;

// "analog-input,1", as BACnet writes object identifiers.
std::string to_text(const ObjectId& id);
// For logs and the installer: 21.5, true, null, "text" without quotes, 2024-03-01, 12:30:00.00
// ("*" for unspecified fields), 0a1b (octets), 0100 (bits, bit 0 first), analog-input,1,
// [3]0a1b (a context value), {[0] ...} (constructed).
std::string to_text(const Value& value);
// Several values separated by ", "; one value alone as to_text.
std::string to_text(const Values& values);
// A JSON value (text): numbers, booleans, null, strings (escaped; invalid UTF-8 replaced by
// U+FFFD), octets as a hex string, bits as an array of booleans, an object id as
// {"type":"analog-input","instance":1}, non-finite reals as null; several values as an array.
std::string to_json(const Value& value);
std::string to_json(const Values& values);

// Numeric views for telemetry. as_double: BOOLEAN (0/1), Unsigned, Signed, REAL, Double,
// ENUMERATED. as_int64: BOOLEAN, Unsigned (<= INT64_MAX), Signed, ENUMERATED. as_bool: BOOLEAN,
// and ENUMERATED/Unsigned/Signed 0 or 1 (BACnetBinaryPV inactive/active). nullopt otherwise.
std::optional<double> as_double(const Value& value);
std::optional<std::int64_t> as_int64(const Value& value);
std::optional<bool> as_bool(const Value& value);

// The telemetry value for a present-value: BOOLEAN → bool, integers and ENUMERATED → int64
// (an Unsigned above INT64_MAX → double), REAL/Double → double, CharacterString → string.
// Error bacnet.not_telemetry for NULL, NaN/infinity and the other types (named in the message).
Expected<sdk::Value> to_sdk_value(const Value& value);

// "REAL", "Unsigned", "CharacterString", ... for messages.
std::string_view type_name(const Value& value);

}  // namespace lintel::bacnet
