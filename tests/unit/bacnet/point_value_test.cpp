// Unit tests of the BACnet → telemetry mapping (values, quality from status-flags, units) and of
// the typed values writes send.
#include "point_value.hpp"

#include <gtest/gtest.h>

namespace lintel::bacnet {
namespace {

PointConfig point(ObjectType type, PropertyId property = PropertyId::present_value) {
    PointConfig p;
    p.name = "p";
    p.object = {type, 1};
    p.ref.property = property;
    return p;
}

BitString flags(bool in_alarm, bool fault, bool overridden, bool out_of_service) {
    return BitString{{in_alarm, fault, overridden, out_of_service}};
}

TEST(BacnetPointValue, TelemetryValuesByType) {
    const auto ai = point(ObjectType::analog_input);
    EXPECT_EQ(telemetry_value(ai, {21.5F}), sdk::Value{21.5});
    EXPECT_EQ(telemetry_value(ai, {2.25}), sdk::Value{2.25});
    const auto bi = point(ObjectType::binary_input);
    EXPECT_EQ(telemetry_value(bi, {Enumerated{1}}), sdk::Value{true});
    EXPECT_EQ(telemetry_value(bi, {Enumerated{0}}), sdk::Value{false});
    const auto msv = point(ObjectType::multi_state_value);
    EXPECT_EQ(telemetry_value(msv, {std::uint64_t{3}}), sdk::Value{std::int64_t{3}});
    const auto other = point(ObjectType::device, PropertyId::object_name);
    EXPECT_EQ(telemetry_value(other, {std::string("AHU")}), sdk::Value{std::string("AHU")});
    EXPECT_EQ(telemetry_value(other, {std::int64_t{-4}}), sdk::Value{std::int64_t{-4}});
    EXPECT_EQ(telemetry_value(other, {true}), sdk::Value{true});
    EXPECT_EQ(telemetry_value(other, {Enumerated{62}}), sdk::Value{std::int64_t{62}});
    EXPECT_EQ(telemetry_value(other, {flags(false, true, false, true)}),
              sdk::Value{std::string("0101")});
    EXPECT_EQ(telemetry_value(other, {Null{}}), sdk::Value{std::string("null")});
    // A binary present-value that is not 0/1 stays an integer rather than a wrong bool.
    EXPECT_EQ(telemetry_value(bi, {Enumerated{7}}), sdk::Value{std::int64_t{7}});

    auto two = telemetry_value(ai, {1.0F, 2.0F});
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().code, "bacnet.not_telemetry");
    EXPECT_FALSE(telemetry_value(ai, {std::numeric_limits<float>::quiet_NaN()}));
    EXPECT_FALSE(telemetry_value(ai, {}));
    EXPECT_FALSE(telemetry_value(other, {Date{}}));
}

TEST(BacnetPointValue, QualityFromStatusFlags) {
    EXPECT_EQ(quality_of(std::nullopt), sdk::Quality::good);
    EXPECT_EQ(quality_of(flags(false, false, false, false)), sdk::Quality::good);
    EXPECT_EQ(quality_of(flags(true, false, true, false)), sdk::Quality::good);  // alarm, override
    EXPECT_EQ(quality_of(flags(false, true, false, false)), sdk::Quality::error);
    EXPECT_EQ(quality_of(flags(false, false, false, true)), sdk::Quality::stale);
    EXPECT_EQ(quality_of(flags(false, true, false, true)), sdk::Quality::error);  // fault wins
    EXPECT_EQ(quality_of(BitString{{false, true}}), sdk::Quality::error);         // short string
    EXPECT_EQ(quality_of(BitString{}), sdk::Quality::good);
    EXPECT_EQ(status_flags_of({flags(false, true, false, false)}),
              flags(false, true, false, false));
    EXPECT_FALSE(status_flags_of({21.0F}));
}

TEST(BacnetPointValue, UnitText) {
    EXPECT_EQ(unit_text(units::degrees_celsius), "°C");
    EXPECT_EQ(unit_text(units::kilowatt_hours), "kWh");
    EXPECT_EQ(unit_text(units::no_units), "");
    EXPECT_EQ(unit_text(4000), "units-4000");
}

TEST(BacnetPointValue, WriteValuesAreTypedByObject) {
    const auto ao = point(ObjectType::analog_output);
    EXPECT_EQ(write_value(ao, sdk::Value{42.5}), Value{42.5F});
    EXPECT_EQ(write_value(ao, sdk::Value{std::int64_t{7}}), Value{7.0F});
    EXPECT_EQ(write_value(ao, sdk::Value{true}).error().code, "bacnet.type_mismatch");
    EXPECT_EQ(write_value(ao, sdk::Value{1e300}).error().code, "bacnet.out_of_range");
    const auto bo = point(ObjectType::binary_output);
    EXPECT_EQ(write_value(bo, sdk::Value{true}), Value{Enumerated{1}});
    EXPECT_EQ(write_value(bo, sdk::Value{std::int64_t{0}}), Value{Enumerated{0}});
    EXPECT_EQ(write_value(bo, sdk::Value{2.0}).error().code, "bacnet.type_mismatch");
    const auto mso = point(ObjectType::multi_state_output);
    EXPECT_EQ(write_value(mso, sdk::Value{3.0}), Value{std::uint64_t{3}});
    EXPECT_EQ(write_value(mso, sdk::Value{2.5}).error().code, "bacnet.type_mismatch");
    EXPECT_EQ(write_value(mso, sdk::Value{std::int64_t{0}}).error().code, "bacnet.out_of_range");
    EXPECT_EQ(write_value(mso, sdk::Value{std::string("x")}).error().code, "bacnet.type_mismatch");

    EXPECT_EQ(write_kind(ao), sdk::ValueKind::real);
    EXPECT_EQ(write_kind(bo), sdk::ValueKind::boolean);
    EXPECT_EQ(write_kind(mso), sdk::ValueKind::integer);
}

TEST(BacnetPointValue, ProcessIdsAreStableSmallAndDiffer) {
    EXPECT_EQ(process_id_for("ahu-1"), process_id_for("ahu-1"));
    EXPECT_NE(process_id_for("ahu-1"), process_id_for("ahu-2"));
    for (const char* name : {"", "a", "ahu-1", "a-very-long-device-name-of-64-characters"}) {
        EXPECT_GE(process_id_for(name), 1U);
        EXPECT_LE(process_id_for(name), 4194303U);
    }
}

}  // namespace
}  // namespace lintel::bacnet
