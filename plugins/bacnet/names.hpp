// BACnet object types, property identifiers and engineering units the driver uses, with the
// standard's hyphenated names ("analog-input", "present-value", "degrees-celsius") for point maps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lintel::bacnet {

// Object types are 10 bits on the wire; 128..1023 are proprietary, so any value may appear.
enum class ObjectType : std::uint16_t {
    analog_input = 0,
    analog_output = 1,
    analog_value = 2,
    binary_input = 3,
    binary_output = 4,
    binary_value = 5,
    calendar = 6,
    command = 7,
    device = 8,
    event_enrollment = 9,
    file = 10,
    group = 11,
    loop = 12,
    multi_state_input = 13,
    multi_state_output = 14,
    notification_class = 15,
    program = 16,
    schedule = 17,
    averaging = 18,
    multi_state_value = 19,
    trend_log = 20,
    accumulator = 23,
    pulse_converter = 24,
    structured_view = 29,
    characterstring_value = 40,
    integer_value = 45,
    large_analog_value = 46,
    positive_integer_value = 48,
    network_port = 56,
};

inline constexpr std::uint16_t kMaxObjectType = 1023;
inline constexpr std::uint32_t kMaxInstance = 4194303;  // 22 bits; also "any device" in Who-Is

// Property identifiers are 22 bits; 512..4194303 are proprietary.
enum class PropertyId : std::uint32_t {
    active_text = 4,
    application_software_version = 12,
    all = 8,  // ReadPropertyMultiple only
    cov_increment = 22,
    description = 28,
    event_state = 36,
    firmware_revision = 44,
    inactive_text = 46,
    max_apdu_length_accepted = 62,
    max_pres_value = 65,
    min_pres_value = 69,
    model_name = 70,
    number_of_states = 74,
    object_identifier = 75,
    object_list = 76,
    object_name = 77,
    object_type = 79,
    optional = 80,  // ReadPropertyMultiple only
    out_of_service = 81,
    polarity = 84,
    present_value = 85,
    priority_array = 87,
    protocol_object_types_supported = 96,
    protocol_services_supported = 97,
    protocol_version = 98,
    reliability = 103,
    relinquish_default = 104,
    required = 105,  // ReadPropertyMultiple only
    resolution = 106,
    segmentation_supported = 107,
    state_text = 110,
    status_flags = 111,
    system_status = 112,
    units = 117,
    vendor_identifier = 120,
    vendor_name = 121,
    protocol_revision = 139,
    database_revision = 155,
    property_list = 371,
};

inline constexpr std::uint32_t kMaxPropertyId = 4194303;

// Engineering units (the `units` property, an ENUMERATED). Only the common ones have names here;
// every other value still decodes and prints as "units-<n>".
namespace units {
inline constexpr std::uint32_t milliamperes = 2;
inline constexpr std::uint32_t amperes = 3;
inline constexpr std::uint32_t volts = 5;
inline constexpr std::uint32_t kilovolts = 6;
inline constexpr std::uint32_t hertz = 27;
inline constexpr std::uint32_t percent_relative_humidity = 29;
inline constexpr std::uint32_t watts = 47;
inline constexpr std::uint32_t kilowatts = 48;
inline constexpr std::uint32_t kilowatt_hours = 19;
inline constexpr std::uint32_t pascals = 53;
inline constexpr std::uint32_t kilopascals = 54;
inline constexpr std::uint32_t degrees_celsius = 62;
inline constexpr std::uint32_t degrees_kelvin = 63;
inline constexpr std::uint32_t degrees_fahrenheit = 64;
inline constexpr std::uint32_t liters_per_second = 87;
inline constexpr std::uint32_t no_units = 95;
inline constexpr std::uint32_t parts_per_million = 96;
inline constexpr std::uint32_t percent = 98;
inline constexpr std::uint32_t cubic_meters_per_hour = 135;
}  // namespace units

// "analog-input"; unknown standard types "object-type-<n>", 128..1023 "proprietary-<n>".
std::string object_type_name(ObjectType type);
// Accepts the standard name and the usual abbreviations (AI, AO, AV, BI, BO, BV, MSI, MSO, MSV,
// DEV), case-insensitively, and a bare number 0..1023.
std::optional<ObjectType> object_type_from_name(std::string_view name);

// "present-value"; otherwise "property-<n>".
std::string property_name(PropertyId property);
// The standard name (case-insensitive, '_' accepted for '-') or a bare number.
std::optional<PropertyId> property_from_name(std::string_view name);

// "degrees-celsius"; otherwise "units-<n>".
std::string units_name(std::uint32_t units);
// What a dashboard shows: "°C", "%", "kWh", "m³/h"; "" for no-units and unknown units.
std::string_view units_symbol(std::uint32_t units);
// The standard name (case-insensitive, '_' accepted for '-') or a bare number.
std::optional<std::uint32_t> units_from_name(std::string_view name);

}  // namespace lintel::bacnet
