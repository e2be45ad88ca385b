// Name tables for object types, property identifiers and engineering units (see names.hpp).
#include "names.hpp"

#include <array>
#include <charconv>

namespace lintel::bacnet {
namespace {

struct Named {
    std::uint32_t value;
    std::string_view name;
};

constexpr std::array kObjectTypes = std::to_array<Named>({
    {0, "analog-input"},
    {1, "analog-output"},
    {2, "analog-value"},
    {3, "binary-input"},
    {4, "binary-output"},
    {5, "binary-value"},
    {6, "calendar"},
    {7, "command"},
    {8, "device"},
    {9, "event-enrollment"},
    {10, "file"},
    {11, "group"},
    {12, "loop"},
    {13, "multi-state-input"},
    {14, "multi-state-output"},
    {15, "notification-class"},
    {16, "program"},
    {17, "schedule"},
    {18, "averaging"},
    {19, "multi-state-value"},
    {20, "trend-log"},
    {23, "accumulator"},
    {24, "pulse-converter"},
    {29, "structured-view"},
    {40, "characterstring-value"},
    {45, "integer-value"},
    {46, "large-analog-value"},
    {48, "positive-integer-value"},
    {56, "network-port"},
});

constexpr std::array kObjectAbbreviations = std::to_array<Named>({
    {0, "ai"},
    {1, "ao"},
    {2, "av"},
    {3, "bi"},
    {4, "bo"},
    {5, "bv"},
    {8, "dev"},
    {13, "msi"},
    {14, "mso"},
    {19, "msv"},
});

constexpr std::array kProperties = std::to_array<Named>({
    {4, "active-text"},
    {8, "all"},
    {12, "application-software-version"},
    {22, "cov-increment"},
    {28, "description"},
    {36, "event-state"},
    {44, "firmware-revision"},
    {46, "inactive-text"},
    {62, "max-apdu-length-accepted"},
    {65, "max-pres-value"},
    {69, "min-pres-value"},
    {70, "model-name"},
    {74, "number-of-states"},
    {75, "object-identifier"},
    {76, "object-list"},
    {77, "object-name"},
    {79, "object-type"},
    {80, "optional"},
    {81, "out-of-service"},
    {84, "polarity"},
    {85, "present-value"},
    {87, "priority-array"},
    {96, "protocol-object-types-supported"},
    {97, "protocol-services-supported"},
    {98, "protocol-version"},
    {103, "reliability"},
    {104, "relinquish-default"},
    {105, "required"},
    {106, "resolution"},
    {107, "segmentation-supported"},
    {110, "state-text"},
    {111, "status-flags"},
    {112, "system-status"},
    {117, "units"},
    {120, "vendor-identifier"},
    {121, "vendor-name"},
    {139, "protocol-revision"},
    {155, "database-revision"},
    {371, "property-list"},
});

struct Unit {
    std::uint32_t value;
    std::string_view name;
    std::string_view symbol;
};

constexpr std::array kUnits = std::to_array<Unit>({
    {2, "milliamperes", "mA"},
    {3, "amperes", "A"},
    {5, "volts", "V"},
    {6, "kilovolts", "kV"},
    {8, "volt-amperes", "VA"},
    {9, "kilovolt-amperes", "kVA"},
    {11, "volt-amperes-reactive", "var"},
    {12, "kilovolt-amperes-reactive", "kvar"},
    {15, "power-factor", ""},
    {18, "watt-hours", "Wh"},
    {19, "kilowatt-hours", "kWh"},
    {27, "hertz", "Hz"},
    {29, "percent-relative-humidity", "%RH"},
    {47, "watts", "W"},
    {48, "kilowatts", "kW"},
    {49, "megawatts", "MW"},
    {53, "pascals", "Pa"},
    {54, "kilopascals", "kPa"},
    {55, "bars", "bar"},
    {62, "degrees-celsius", "°C"},
    {63, "degrees-kelvin", "K"},
    {64, "degrees-fahrenheit", "°F"},
    {71, "hours", "h"},
    {72, "minutes", "min"},
    {73, "seconds", "s"},
    {74, "meters-per-second", "m/s"},
    {80, "cubic-meters", "m³"},
    {82, "liters", "l"},
    {85, "cubic-meters-per-second", "m³/s"},
    {87, "liters-per-second", "l/s"},
    {88, "liters-per-minute", "l/min"},
    {90, "degrees-angular", "°"},
    {95, "no-units", ""},
    {96, "parts-per-million", "ppm"},
    {97, "parts-per-billion", "ppb"},
    {98, "percent", "%"},
    {124, "millivolts", "mV"},
    {133, "hectopascals", "hPa"},
    {135, "cubic-meters-per-hour", "m³/h"},
    {136, "liters-per-hour", "l/h"},
    {146, "megawatt-hours", "MWh"},
});

char lower(char c) {
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    return c == '_' ? '-' : c;
}

// Case-insensitive, '_' matching '-': config files are typed by people.
bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<std::uint32_t> number(std::string_view text, std::uint32_t max) {
    std::uint32_t v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || ptr != end || text.empty() || v > max) return std::nullopt;
    return v;
}

template <typename Table>
std::optional<std::string_view> name_of(const Table& table, std::uint32_t value) {
    for (const auto& entry : table) {
        if (entry.value == value) return entry.name;
    }
    return std::nullopt;
}

template <typename Table>
std::optional<std::uint32_t> value_of(const Table& table, std::string_view name) {
    for (const auto& entry : table) {
        if (same_name(entry.name, name)) return entry.value;
    }
    return std::nullopt;
}

}  // namespace

std::string object_type_name(ObjectType type) {
    const auto v = static_cast<std::uint32_t>(type);
    if (auto name = name_of(kObjectTypes, v)) return std::string(*name);
    if (v >= 128) return "proprietary-" + std::to_string(v);
    return "object-type-" + std::to_string(v);
}

std::optional<ObjectType> object_type_from_name(std::string_view name) {
    auto v = value_of(kObjectTypes, name);
    if (!v) v = value_of(kObjectAbbreviations, name);
    if (!v) v = number(name, kMaxObjectType);
    if (!v) return std::nullopt;
    return static_cast<ObjectType>(*v);
}

std::string property_name(PropertyId property) {
    const auto v = static_cast<std::uint32_t>(property);
    if (auto name = name_of(kProperties, v)) return std::string(*name);
    return "property-" + std::to_string(v);
}

std::optional<PropertyId> property_from_name(std::string_view name) {
    auto v = value_of(kProperties, name);
    if (!v) v = number(name, kMaxPropertyId);
    if (!v) return std::nullopt;
    return static_cast<PropertyId>(*v);
}

std::string units_name(std::uint32_t units) {
    if (auto name = name_of(kUnits, units)) return std::string(*name);
    return "units-" + std::to_string(units);
}

std::string_view units_symbol(std::uint32_t units) {
    for (const auto& u : kUnits) {
        if (u.value == units) return u.symbol;
    }
    return "";
}

std::optional<std::uint32_t> units_from_name(std::string_view name) {
    if (auto v = value_of(kUnits, name)) return v;
    return number(name, 0xFFFFFFFFU);
}

}  // namespace lintel::bacnet
