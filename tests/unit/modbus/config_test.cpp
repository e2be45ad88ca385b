// Unit tests of Modbus device config parsing: defaults, every key, and each class of error with
// its exact "file:line:col: key.path: reason" text.
#include "config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "outline.hpp"

namespace lintel::modbus {
namespace {

using namespace std::chrono_literals;

std::optional<DeviceConfig> parse(const std::string& text,
                                  std::vector<std::string>* issues = nullptr) {
    sdk::ConfigErrors errors;
    auto config = parse_device_config(test::Outline::parse(text), errors);
    if (issues != nullptr) {
        for (const auto& i : errors.issues()) issues->push_back(i.to_string());
    }
    EXPECT_EQ(config.has_value(), errors.empty());
    return config;
}

// The one error `text` must produce.
std::string error_of(const std::string& text) {
    std::vector<std::string> issues;
    EXPECT_FALSE(parse(text, &issues));
    EXPECT_EQ(issues.size(), 1U) << ::testing::PrintToString(issues);
    return issues.empty() ? std::string() : issues.front();
}

const std::string kMinimal =
    "host: 10.0.0.5\n"
    "points:\n"
    "  - name: voltage\n"
    "    table: input_register\n"
    "    address: 0\n";

// kMinimal's point followed by `point_lines` (each indented 4) as extra keys of that point.
std::string with_point_keys(const std::string& point_lines) { return kMinimal + point_lines; }

TEST(ModbusConfig, DefaultsForEveryOptionalKey) {
    auto c = parse(kMinimal);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->host, "10.0.0.5");
    EXPECT_EQ(c->port, 502);
    EXPECT_EQ(c->unit_id, 1);
    EXPECT_EQ(c->timeout, 1s);
    EXPECT_EQ(c->retries, 1);
    EXPECT_EQ(c->poll_interval, 5s);
    EXPECT_EQ(c->max_concurrent_requests, 1);
    EXPECT_EQ(c->request_delay, 0ms);
    EXPECT_EQ(c->max_gap, 0);
    EXPECT_EQ(c->backoff_max, 60s);
    EXPECT_EQ(c->byte_order, Order::big);
    EXPECT_EQ(c->word_order, Order::big);
    ASSERT_EQ(c->points.size(), 1U);
    const PointConfig& p = c->points[0];
    EXPECT_EQ(p.name, "voltage");
    EXPECT_EQ(p.table, Table::input_register);
    EXPECT_EQ(p.address, 0);
    EXPECT_EQ(p.type, ValueType::uint16);
    EXPECT_EQ(p.scale, 1.0);
    EXPECT_EQ(p.offset, 0.0);
    EXPECT_EQ(p.unit, "");
    EXPECT_FALSE(p.writable);
    EXPECT_FALSE(p.min);
    EXPECT_FALSE(p.max);
}

TEST(ModbusConfig, EveryKeySet) {
    auto c = parse(
        "host: meter.local\n"
        "port: 1502\n"
        "unit_id: 0\n"
        "timeout: 250ms\n"
        "retries: 3\n"
        "poll_interval: 2s\n"
        "max_concurrent_requests: 16\n"
        "request_delay: 20ms\n"
        "max_gap: 10\n"
        "backoff_max: 5m\n"
        "byte_order: little\n"
        "word_order: little\n"
        "points:\n"
        "  - name: setpoint\n"
        "    table: holding_register\n"
        "    address: 65534\n"
        "    type: int32\n"
        "    byte_order: big\n"
        "    scale: 0.1\n"
        "    offset: -40\n"
        "    unit: degC\n"
        "    writable: true\n"
        "    min: 5\n"
        "    max: 30\n"
        "  - name: model\n"
        "    table: input_register\n"
        "    address: 100\n"
        "    type: string\n"
        "    length: 8\n"
        "  - name: relay\n"
        "    table: coil\n"
        "    address: 3\n"
        "    writable: yes\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->host, "meter.local");
    EXPECT_EQ(c->port, 1502);
    EXPECT_EQ(c->unit_id, 0);
    EXPECT_EQ(c->timeout, 250ms);
    EXPECT_EQ(c->retries, 3);
    EXPECT_EQ(c->poll_interval, 2s);
    EXPECT_EQ(c->max_concurrent_requests, 16);
    EXPECT_EQ(c->request_delay, 20ms);
    EXPECT_EQ(c->max_gap, 10);
    EXPECT_EQ(c->backoff_max, 5min);
    ASSERT_EQ(c->points.size(), 3U);
    const PointConfig& sp = c->points[0];
    EXPECT_EQ(sp.type, ValueType::int32);
    EXPECT_EQ(sp.width(), 2);
    EXPECT_EQ(sp.byte_order, Order::big);     // its own
    EXPECT_EQ(sp.word_order, Order::little);  // the device's default
    EXPECT_DOUBLE_EQ(sp.scale, 0.1);
    EXPECT_DOUBLE_EQ(sp.offset, -40);
    EXPECT_EQ(sp.unit, "degC");
    EXPECT_TRUE(sp.writable);
    EXPECT_EQ(sp.min, 5.0);
    EXPECT_EQ(sp.max, 30.0);
    EXPECT_FALSE(sp.is_exact_integer());
    EXPECT_EQ(c->points[1].type, ValueType::string);
    EXPECT_EQ(c->points[1].width(), 8);
    EXPECT_EQ(c->points[2].type, ValueType::boolean);  // default on coils
    EXPECT_TRUE(c->points[2].writable);
}

TEST(ModbusConfig, BoolOnRegistersIsAllowed) {
    auto c = parse(with_point_keys("    type: bool\n"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->points[0].type, ValueType::boolean);
}

TEST(ModbusConfig, MissingRequiredKeys) {
    EXPECT_EQ(error_of("port: 502\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: holding_register\n"
                       "    address: 0\n"),
              "devices.d/meter.yaml:1:1: devices[0].host: required key is missing");
    EXPECT_EQ(error_of("host: 10.0.0.5\n"),
              "devices.d/meter.yaml:1:1: devices[0].points: required key is missing");
    EXPECT_EQ(error_of("host: 10.0.0.5\n"
                       "points:\n"
                       "  - table: holding_register\n"
                       "    address: 0\n"),
              "devices.d/meter.yaml:3:5: devices[0].points[0].name: required key is missing");
    EXPECT_EQ(error_of("host: 10.0.0.5\n"
                       "points:\n"
                       "  - name: v\n"
                       "    address: 0\n"),
              "devices.d/meter.yaml:3:5: devices[0].points[0].table: required key is missing");
    EXPECT_EQ(error_of("host: 10.0.0.5\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: coil\n"),
              "devices.d/meter.yaml:3:5: devices[0].points[0].address: required key is missing");
}

TEST(ModbusConfig, UnknownKeysAreRejected) {
    EXPECT_EQ(error_of("host: 10.0.0.5\n"
                       "colour: red\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: coil\n"
                       "    address: 0\n"),
              "devices.d/meter.yaml:2:1: devices[0].colour: unknown key \"colour\"");
    EXPECT_EQ(error_of(with_point_keys("    scal: 2\n")),
              "devices.d/meter.yaml:6:5: devices[0].points[0].scal: unknown key \"scal\"");
}

TEST(ModbusConfig, OutOfRangeNumbers) {
    EXPECT_EQ(error_of("host: h\nunit_id: 256\n" + kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:10: devices[0].unit_id: 256 is out of range [0, 255]");
    EXPECT_EQ(error_of("host: h\nmax_concurrent_requests: 17\n" +
                       kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:26: devices[0].max_concurrent_requests: 17 is out of range "
              "[1, 16]");
    EXPECT_EQ(error_of("host: h\nport: 0\n" + kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:7: devices[0].port: 0 is out of range [1, 65535]");
    EXPECT_EQ(error_of("host: h\nmax_gap: 125\n" + kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:10: devices[0].max_gap: 125 is out of range [0, 124]");
    EXPECT_EQ(error_of("host: h\ntimeout: 2m\n" + kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:10: devices[0].timeout: 2m is out of range [10ms, 1m]");
    EXPECT_EQ(error_of("host: 10.0.0.5\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: coil\n"
                       "    address: 70000\n"),
              "devices.d/meter.yaml:5:14: devices[0].points[0].address: 70000 is out of range [0, "
              "65535]");
}

TEST(ModbusConfig, WrongValueSyntax) {
    EXPECT_EQ(error_of("host: h\ntimeout: 5\n" + kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:10: devices[0].timeout: duration \"5\" needs a unit: ms, s, "
              "m, h or d (for example 500ms or 5s)");
    EXPECT_EQ(error_of("host: h\nretries: many\n" + kMinimal.substr(kMinimal.find("points"))),
              "devices.d/meter.yaml:2:10: devices[0].retries: expected an integer, got \"many\"");
    EXPECT_EQ(
        error_of("host: h\nbyte_order: middle\n" + kMinimal.substr(kMinimal.find("points"))),
        "devices.d/meter.yaml:2:13: devices[0].byte_order: \"middle\" is not one of: big, little");
    EXPECT_EQ(error_of(with_point_keys("    writable: maybe\n")),
              "devices.d/meter.yaml:6:15: devices[0].points[0].writable: expected true or false, "
              "got \"maybe\"");
}

TEST(ModbusConfig, PointsListShape) {
    EXPECT_EQ(error_of("host: h\npoints:\n"),
              "devices.d/meter.yaml:2:8: devices[0].points: at least one point is required");
    EXPECT_EQ(error_of("host: h\npoints: none\n"),
              "devices.d/meter.yaml:2:9: devices[0].points: expected a list of points");
    EXPECT_EQ(error_of("host: h\npoints:\n  name: v\n"),
              "devices.d/meter.yaml:3:3: devices[0].points: expected a list of points");
}

TEST(ModbusConfig, DuplicatePointNames) {
    EXPECT_EQ(
        error_of(kMinimal + "  - name: voltage\n"
                            "    table: input_register\n"
                            "    address: 2\n"),
        "devices.d/meter.yaml:6:11: devices[0].points[1].name: point name \"voltage\" is used "
        "twice in this device");
}

TEST(ModbusConfig, TableAndType) {
    EXPECT_EQ(error_of("host: h\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: register\n"
                       "    address: 0\n"),
              "devices.d/meter.yaml:4:12: devices[0].points[0].table: \"register\" is not one of: "
              "coil, discrete_input, input_register, holding_register");
    EXPECT_EQ(error_of(with_point_keys("    type: float16\n")),
              "devices.d/meter.yaml:6:11: devices[0].points[0].type: \"float16\" is not one of: "
              "bool, int16, uint16, int32, uint32, int64, uint64, float32, float64, string");
    EXPECT_EQ(
        error_of("host: h\n"
                 "points:\n"
                 "  - name: v\n"
                 "    table: coil\n"
                 "    address: 0\n"
                 "    type: int16\n"),
        "devices.d/meter.yaml:6:11: devices[0].points[0].type: coil points must be of type bool");
    EXPECT_EQ(error_of("host: h\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: discrete_input\n"
                       "    address: 0\n"
                       "    type: float32\n"),
              "devices.d/meter.yaml:6:11: devices[0].points[0].type: discrete_input points must be "
              "of type bool");
}

TEST(ModbusConfig, StringLength) {
    EXPECT_EQ(error_of(with_point_keys("    type: string\n")),
              "devices.d/meter.yaml:3:5: devices[0].points[0].length: required key is missing");
    EXPECT_EQ(
        error_of(with_point_keys("    type: string\n    length: 126\n")),
        "devices.d/meter.yaml:7:13: devices[0].points[0].length: 126 is out of range [1, 125]");
    EXPECT_EQ(
        error_of(with_point_keys("    type: float32\n    length: 4\n")),
        "devices.d/meter.yaml:7:13: devices[0].points[0].length: length applies only to points "
        "of type string");
}

TEST(ModbusConfig, Writability) {
    EXPECT_EQ(error_of(with_point_keys("    writable: true\n")),
              "devices.d/meter.yaml:6:15: devices[0].points[0].writable: input_register points are "
              "read-only; only coil and holding_register points can be writable");
    EXPECT_EQ(error_of(with_point_keys("    min: 5\n")),
              "devices.d/meter.yaml:6:10: devices[0].points[0].min: min is a write limit; it needs "
              "writable: true");
    EXPECT_EQ(error_of("host: h\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: holding_register\n"
                       "    address: 0\n"
                       "    writable: true\n"
                       "    min: 10\n"
                       "    max: 5\n"),
              "devices.d/meter.yaml:8:10: devices[0].points[0].max: max is below min");
    EXPECT_EQ(error_of("host: h\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: coil\n"
                       "    address: 0\n"
                       "    writable: true\n"
                       "    max: 1\n"),
              "devices.d/meter.yaml:7:10: devices[0].points[0].max: max applies only to numeric "
              "points, not bool");
}

TEST(ModbusConfig, ScaleAndOffset) {
    EXPECT_EQ(error_of(with_point_keys("    scale: 0\n")),
              "devices.d/meter.yaml:6:12: devices[0].points[0].scale: scale must not be 0");
    EXPECT_EQ(error_of(with_point_keys("    type: bool\n    offset: 1\n")),
              "devices.d/meter.yaml:7:13: devices[0].points[0].offset: offset applies only to "
              "numeric points, not bool");
    EXPECT_EQ(
        error_of(with_point_keys("    scale: ten\n")),
        "devices.d/meter.yaml:6:12: devices[0].points[0].scale: expected a number, got \"ten\"");
}

TEST(ModbusConfig, PointMustFitTheAddressSpace) {
    EXPECT_EQ(error_of("host: h\n"
                       "points:\n"
                       "  - name: v\n"
                       "    table: holding_register\n"
                       "    address: 65535\n"
                       "    type: float32\n"),
              "devices.d/meter.yaml:5:14: devices[0].points[0].address: point of 2 registers at "
              "address 65535 runs past address 65535");
    EXPECT_TRUE(
        parse("host: h\n"
              "points:\n"
              "  - name: v\n"
              "    table: holding_register\n"
              "    address: 65532\n"
              "    type: uint64\n"));
}

TEST(ModbusConfig, AllErrorsAreReportedAtOnce) {
    std::vector<std::string> issues;
    EXPECT_FALSE(
        parse("unit_id: 300\n"
              "points:\n"
              "  - name: a\n"
              "    table: input_register\n"
              "    address: 0\n"
              "    writable: true\n"
              "  - name: b\n"
              "    table: coil\n"
              "    address: 1\n"
              "    bogus: 1\n",
              &issues));
    EXPECT_EQ(issues,
              (std::vector<std::string>{
                  "devices.d/meter.yaml:1:1: devices[0].host: required key is missing",
                  "devices.d/meter.yaml:1:10: devices[0].unit_id: 300 is out of range [0, 255]",
                  "devices.d/meter.yaml:6:15: devices[0].points[0].writable: input_register "
                  "points are read-only; only coil and holding_register points can be writable",
                  "devices.d/meter.yaml:10:5: devices[0].points[1].bogus: unknown key \"bogus\"",
              }));
}

// ---- Modbus RTU: serial instead of host ----

const std::string kSerialPoint =
    "points:\n"
    "  - name: voltage\n"
    "    table: input_register\n"
    "    address: 0\n";

TEST(ModbusConfig, SerialDefaultsAndEveryKey) {
    auto c = parse("serial:\n  port: /dev/ttyUSB0\nunit_id: 3\n" + kSerialPoint);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->serial);
    EXPECT_TRUE(c->host.empty());
    EXPECT_EQ(c->serial->port, "/dev/ttyUSB0");
    EXPECT_EQ(c->serial->baud, 9600U);
    EXPECT_EQ(c->serial->parity, Parity::none);
    EXPECT_EQ(c->serial->data_bits, 8U);
    EXPECT_EQ(c->serial->stop_bits, 1U);
    EXPECT_EQ(c->serial->describe(), "9600 8N1");

    auto all = parse(
        "serial:\n  port: /dev/ttyS1\n  baud: 19200\n  parity: even\n  data_bits: 7\n"
        "  stop_bits: 2\n" +
        kSerialPoint);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->serial->describe(), "19200 7E2");
    EXPECT_TRUE(all->serial->same_line_settings(*all->serial));
    EXPECT_FALSE(all->serial->same_line_settings(*c->serial));
}

TEST(ModbusConfig, HostAndSerialAreExclusive) {
    EXPECT_EQ(error_of("host: 10.0.0.5\nserial:\n  port: /dev/ttyUSB0\n" + kSerialPoint),
              "devices.d/meter.yaml:1:7: devices[0].host: a device has either host (Modbus TCP) "
              "or serial (Modbus RTU), not both; remove host");
}

TEST(ModbusConfig, SerialValuesAreChecked) {
    EXPECT_NE(error_of("serial:\n  port: /dev/ttyUSB0\n  parity: mark\n" + kSerialPoint)
                  .find("devices[0].serial.parity"),
              std::string::npos);
    EXPECT_NE(error_of("serial:\n  port: /dev/ttyUSB0\n  data_bits: 6\n" + kSerialPoint)
                  .find("devices[0].serial.data_bits"),
              std::string::npos);
    EXPECT_NE(error_of("serial:\n  baud: 9600\n" + kSerialPoint).find("devices[0].serial.port"),
              std::string::npos);
    EXPECT_NE(
        error_of("serial:\n  port: /dev/ttyUSB0\n  speed: 9600\n" + kSerialPoint).find("speed"),
        std::string::npos);
    EXPECT_NE(error_of("serial:\n  port: /dev/ttyUSB0\nmax_concurrent_requests: 2\n" + kSerialPoint)
                  .find("one request at a time"),
              std::string::npos);
}

TEST(ModbusConfig, SerialBroadcastUnitOnlyWithWritablePoints) {
    EXPECT_NE(
        error_of("serial:\n  port: /dev/ttyUSB0\nunit_id: 0\n" + kSerialPoint).find("broadcast"),
        std::string::npos);
    auto c = parse(
        "serial:\n  port: /dev/ttyUSB0\nunit_id: 0\npoints:\n  - name: sync\n"
        "    table: holding_register\n    address: 5\n    writable: true\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->unit_id, 0);
}

}  // namespace
}  // namespace lintel::modbus
