// Unit tests of the object type, property and engineering-unit names used in point maps.
#include "names.hpp"

#include <gtest/gtest.h>

namespace lintel::bacnet {
namespace {

TEST(BacnetNames, ObjectTypes) {
    EXPECT_EQ(object_type_name(ObjectType::analog_input), "analog-input");
    EXPECT_EQ(object_type_name(ObjectType::multi_state_value), "multi-state-value");
    EXPECT_EQ(object_type_name(ObjectType::device), "device");
    EXPECT_EQ(object_type_name(static_cast<ObjectType>(60)), "object-type-60");
    EXPECT_EQ(object_type_name(static_cast<ObjectType>(130)), "proprietary-130");
    EXPECT_EQ(object_type_from_name("analog-value"), ObjectType::analog_value);
    EXPECT_EQ(object_type_from_name("Binary_Output"), ObjectType::binary_output);
    EXPECT_EQ(object_type_from_name("MSI"), ObjectType::multi_state_input);
    EXPECT_EQ(object_type_from_name("bv"), ObjectType::binary_value);
    EXPECT_EQ(object_type_from_name("130"), static_cast<ObjectType>(130));
    EXPECT_EQ(object_type_from_name("1024"), std::nullopt);
    EXPECT_EQ(object_type_from_name("analog"), std::nullopt);
    EXPECT_EQ(object_type_from_name(""), std::nullopt);
}

TEST(BacnetNames, Properties) {
    EXPECT_EQ(property_name(PropertyId::present_value), "present-value");
    EXPECT_EQ(property_name(PropertyId::priority_array), "priority-array");
    EXPECT_EQ(property_name(static_cast<PropertyId>(5000)), "property-5000");
    EXPECT_EQ(property_from_name("status_flags"), PropertyId::status_flags);
    EXPECT_EQ(property_from_name("Object-Name"), PropertyId::object_name);
    EXPECT_EQ(property_from_name("85"), PropertyId::present_value);
    EXPECT_EQ(property_from_name("4194304"), std::nullopt);
    EXPECT_EQ(property_from_name("85x"), std::nullopt);
}

TEST(BacnetNames, EngineeringUnits) {
    const struct {
        std::uint32_t units;
        const char* name;
        const char* symbol;
    } cases[] = {{units::degrees_celsius, "degrees-celsius", "°C"},
                 {units::percent, "percent", "%"},
                 {units::kilowatts, "kilowatts", "kW"},
                 {units::kilowatt_hours, "kilowatt-hours", "kWh"},
                 {units::pascals, "pascals", "Pa"},
                 {units::liters_per_second, "liters-per-second", "l/s"},
                 {units::cubic_meters_per_hour, "cubic-meters-per-hour", "m³/h"},
                 {units::volts, "volts", "V"},
                 {units::amperes, "amperes", "A"},
                 {units::hertz, "hertz", "Hz"},
                 {units::parts_per_million, "parts-per-million", "ppm"},
                 {units::no_units, "no-units", ""}};
    for (const auto& c : cases) {
        EXPECT_EQ(units_name(c.units), c.name);
        EXPECT_EQ(units_symbol(c.units), c.symbol);
        EXPECT_EQ(units_from_name(c.name), c.units);
    }
    EXPECT_EQ(units_name(9999), "units-9999");
    EXPECT_EQ(units_symbol(9999), "");
    EXPECT_EQ(units_from_name("DEGREES_CELSIUS"), units::degrees_celsius);
    EXPECT_EQ(units_from_name("furlongs"), std::nullopt);
}

}  // namespace
}  // namespace lintel::bacnet
