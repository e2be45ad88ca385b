// Unit tests of the decoded value model: text and JSON renderings, numeric views, telemetry.
#include "value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace lintel::bacnet {
namespace {

TEST(BacnetValue, TextOfEveryType) {
    EXPECT_EQ(to_text(Value{Null{}}), "null");
    EXPECT_EQ(to_text(Value{true}), "true");
    EXPECT_EQ(to_text(Value{std::uint64_t{1476}}), "1476");
    EXPECT_EQ(to_text(Value{std::int64_t{-40}}), "-40");
    EXPECT_EQ(to_text(Value{21.5F}), "21.5");
    EXPECT_EQ(to_text(Value{0.1F}), "0.1");  // shortest form that reads back as the float
    EXPECT_EQ(to_text(Value{std::nanf("")}), "nan");
    EXPECT_EQ(to_text(Value{-std::numeric_limits<double>::infinity()}), "-inf");
    EXPECT_EQ(to_text(Value{OctetString{{0x0a, 0xff}}}), "0aff");
    EXPECT_EQ(to_text(Value{std::string("Room 1")}), "Room 1");
    EXPECT_EQ(to_text(Value{BitString{{false, true, false, false}}}), "0100");
    EXPECT_EQ(to_text(Value{Enumerated{62}}), "62");
    EXPECT_EQ(to_text(Value{Date{124, 3, 1, 5}}), "2024-03-01");
    EXPECT_EQ(to_text(Value{Date{kUnspecified, 12, 24, kUnspecified}}), "*-12-24");
    EXPECT_EQ(to_text(Value{Time{8, 5, 0, 0}}), "08:05:00.00");
    EXPECT_EQ(to_text(Value{Time{}}), "*:*:*.*");
    EXPECT_EQ(to_text(Value{ObjectId{ObjectType::analog_input, 1}}), "analog-input,1");
    EXPECT_EQ(to_text(Value{ContextValue{3, {0x01}}}), "[3]01");
    EXPECT_EQ(to_text(Value{Constructed{0, {Value{Null{}}, Value{true}}}}), "{[0] null true}");
    EXPECT_EQ(to_text(Values{Value{Null{}}, Value{21.5F}}), "null, 21.5");
}

TEST(BacnetValue, JsonOfEveryType) {
    EXPECT_EQ(to_json(Value{Null{}}), "null");
    EXPECT_EQ(to_json(Value{false}), "false");
    EXPECT_EQ(to_json(Value{21.5F}), "21.5");
    EXPECT_EQ(to_json(Value{std::nanf("")}), "null");
    EXPECT_EQ(to_json(Value{std::string("a\"b\\c\n\x01")}), R"("a\"b\\c\u000a\u0001")");
    EXPECT_EQ(to_json(Value{std::string("bad \xFF byte")}), "\"bad \xEF\xBF\xBD byte\"");
    EXPECT_EQ(to_json(Value{std::string("\xC2\xB0"
                                        "C")}),
              "\"\xC2\xB0"
              "C\"");
    EXPECT_EQ(to_json(Value{BitString{{true, false}}}), "[true,false]");
    EXPECT_EQ(to_json(Value{OctetString{{1, 2}}}), R"("0102")");
    EXPECT_EQ(to_json(Value{Date{124, 3, 1, 5}}), R"("2024-03-01")");
    EXPECT_EQ(to_json(Value{ObjectId{ObjectType::device, 1234}}),
              R"({"type":"device","instance":1234})");
    EXPECT_EQ(to_json(Value{ContextValue{1, {0xab}}}), R"({"tag":1,"hex":"ab"})");
    EXPECT_EQ(to_json(Value{Constructed{0, {Value{true}}}}), R"({"tag":0,"values":[true]})");
    EXPECT_EQ(to_json(Values{Value{21.5F}}), "21.5");
    EXPECT_EQ(to_json(Values{Value{Null{}}, Value{std::uint64_t{3}}}), "[null,3]");
}

TEST(BacnetValue, NumericViews) {
    EXPECT_EQ(as_double(Value{21.5F}), 21.5);
    EXPECT_EQ(as_double(Value{true}), 1.0);
    EXPECT_EQ(as_double(Value{Enumerated{3}}), 3.0);
    EXPECT_EQ(as_double(Value{std::numeric_limits<std::uint64_t>::max()}), 18446744073709551616.0);
    EXPECT_EQ(as_double(Value{std::string("1")}), std::nullopt);
    EXPECT_EQ(as_double(Value{Null{}}), std::nullopt);

    EXPECT_EQ(as_int64(Value{std::int64_t{-5}}), -5);
    EXPECT_EQ(as_int64(Value{std::uint64_t{7}}), 7);
    EXPECT_EQ(as_int64(Value{std::numeric_limits<std::uint64_t>::max()}), std::nullopt);
    EXPECT_EQ(as_int64(Value{2.0F}), std::nullopt);

    EXPECT_EQ(as_bool(Value{Enumerated{1}}), true);  // BACnetBinaryPV active
    EXPECT_EQ(as_bool(Value{Enumerated{0}}), false);
    EXPECT_EQ(as_bool(Value{Enumerated{2}}), std::nullopt);
    EXPECT_EQ(as_bool(Value{1.0F}), std::nullopt);
    EXPECT_EQ(as_bool(Value{true}), true);
}

TEST(BacnetValue, TelemetryValues) {
    EXPECT_EQ(to_sdk_value(Value{21.5F}).value(), sdk::Value{21.5});
    EXPECT_EQ(to_sdk_value(Value{true}).value(), sdk::Value{true});
    EXPECT_EQ(to_sdk_value(Value{Enumerated{2}}).value(), sdk::Value{std::int64_t{2}});
    EXPECT_EQ(to_sdk_value(Value{std::uint64_t{5}}).value(), sdk::Value{std::int64_t{5}});
    EXPECT_TRUE(std::holds_alternative<double>(
        *to_sdk_value(Value{std::numeric_limits<std::uint64_t>::max()})));
    EXPECT_EQ(to_sdk_value(Value{std::string("on")}).value(), sdk::Value{std::string("on")});
    auto nan = to_sdk_value(Value{std::nanf("")});
    ASSERT_FALSE(nan);
    EXPECT_EQ(nan.error().code, "bacnet.not_telemetry");
    auto null = to_sdk_value(Value{Null{}});
    ASSERT_FALSE(null);
    EXPECT_EQ(null.error().message, "a NULL value has no telemetry form");
    EXPECT_FALSE(to_sdk_value(Value{BitString{{true}}}));
}

TEST(BacnetValue, TypeNames) {
    EXPECT_EQ(type_name(Value{21.5F}), "REAL");
    EXPECT_EQ(type_name(Value{Enumerated{}}), "ENUMERATED");
    EXPECT_EQ(type_name(Value{Constructed{}}), "constructed value");
}

}  // namespace
}  // namespace lintel::bacnet
