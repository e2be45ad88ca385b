// Unit tests of BACnet device config parsing: defaults, every key, and each class of error with
// its "file:line:col: key.path: reason" text, from real YAML.
#include "config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/yaml_loader.hpp"

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;

std::optional<DeviceConfig> parse(const std::string& yaml,
                                  std::vector<std::string>* issues = nullptr) {
    sdk::ConfigErrors errors;
    auto root = core::load_yaml_string(yaml, "devices.d/ahu.yaml", errors);
    EXPECT_TRUE(root) << errors.to_string();
    if (!root) return std::nullopt;
    auto config = parse_device_config(*root, errors);
    if (issues != nullptr) {
        for (const auto& i : errors.issues()) issues->push_back(i.to_string());
    }
    EXPECT_EQ(config.has_value(), errors.empty());
    return config;
}

// The one error `yaml` must produce.
std::string error_of(const std::string& yaml) {
    std::vector<std::string> issues;
    EXPECT_FALSE(parse(yaml, &issues));
    EXPECT_EQ(issues.size(), 1U) << ::testing::PrintToString(issues);
    return issues.empty() ? std::string() : issues.front();
}

const std::string kMinimal =
    "device_instance: 1234\n"
    "points:\n"
    "  - name: temp\n"
    "    object: AI:1\n";

TEST(BacnetConfig, DefaultsForEveryOptionalKey) {
    auto c = parse(kMinimal);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->device_instance, 1234U);
    EXPECT_FALSE(c->address);
    EXPECT_FALSE(c->route);
    EXPECT_EQ(to_string(c->link.local), "0.0.0.0:47808");
    EXPECT_EQ(to_string(c->link.broadcast), "255.255.255.255:47808");
    EXPECT_FALSE(c->link.bbmd);
    EXPECT_EQ(c->timeout, 3s);
    EXPECT_EQ(c->retries, 1);
    EXPECT_EQ(c->max_concurrent_requests, 1);
    EXPECT_EQ(c->poll_interval, 30s);
    EXPECT_FALSE(c->max_apdu);
    EXPECT_TRUE(c->status_flags);
    EXPECT_TRUE(c->cov);
    EXPECT_EQ(c->cov_lifetime, 600s);
    EXPECT_FALSE(c->cov_confirmed);
    EXPECT_EQ(c->write_priority, 16);
    EXPECT_EQ(c->state_dir, "/var/lib/lintel/bacnet");
    ASSERT_EQ(c->points.size(), 1U);
    const PointConfig& p = c->points[0];
    EXPECT_EQ(p.object, (ObjectId{ObjectType::analog_input, 1}));
    EXPECT_EQ(p.ref.property, PropertyId::present_value);
    EXPECT_FALSE(p.ref.array_index);
    EXPECT_TRUE(p.cov);  // the device's default, for a present-value of a point type
    EXPECT_FALSE(p.writable);
    EXPECT_FALSE(p.unit);
    EXPECT_EQ(c->describe(), "device 1234");
}

TEST(BacnetConfig, EveryKey) {
    auto c = parse(
        "device_instance: 77\n"
        "address: 192.0.2.1:47809\n"
        "dnet: 5\n"
        "dadr: 10\n"
        "local: 192.0.2.50:47810\n"
        "broadcast: 192.0.2.255\n"
        "bbmd: {address: 198.51.100.1, ttl: 2m}\n"
        "timeout: 500ms\n"
        "retries: 3\n"
        "max_concurrent_requests: 4\n"
        "poll_interval: 5s\n"
        "max_apdu: 480\n"
        "status_flags: false\n"
        "cov: false\n"
        "cov_lifetime: 5m\n"
        "cov_confirmed: true\n"
        "write_priority: 8\n"
        "backoff_max: 1m\n"
        "state_dir: /tmp/state\n"
        "points:\n"
        "  - {name: valve, object: analog-output:3, writable: true, min: 0, max: 100,\n"
        "     relinquish_after: 30m, unit: '%', cov: true}\n"
        "  - {name: fan, object: 'binary-output,2', writable: true, priority: 10}\n"
        "  - {name: mode, object: MSV:1, writable: true}\n"
        "  - {name: slot8, object: AO:3, property: priority-array, array_index: 8}\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->describe(), "device 77 at 192.0.2.1:47809 (network 5, MAC 0x0a)");
    EXPECT_EQ(c->route->network, 5);
    EXPECT_EQ(c->route->mac, std::vector<std::uint8_t>{10});
    EXPECT_EQ(to_string(c->link.local), "192.0.2.50:47810");
    EXPECT_EQ(to_string(c->link.broadcast), "192.0.2.255:47810");  // the local port by default
    EXPECT_EQ(to_string(c->link.bbmd->address), "198.51.100.1:47808");
    EXPECT_EQ(c->link.bbmd->ttl, 120s);
    EXPECT_EQ(c->timeout, 500ms);
    EXPECT_EQ(c->retries, 3);
    EXPECT_EQ(c->max_concurrent_requests, 4);
    EXPECT_EQ(c->poll_interval, 5s);
    EXPECT_EQ(c->max_apdu, 480);
    EXPECT_FALSE(c->status_flags);
    EXPECT_EQ(c->cov_lifetime, 300s);
    EXPECT_TRUE(c->cov_confirmed);
    EXPECT_EQ(c->backoff_max, 60s);
    EXPECT_EQ(c->state_dir, "/tmp/state");
    ASSERT_EQ(c->points.size(), 4U);
    EXPECT_TRUE(c->points[0].cov);  // explicit, although the device says no
    EXPECT_EQ(c->points[0].priority, 8);
    EXPECT_EQ(c->points[0].relinquish_after, 30min);
    EXPECT_EQ(c->points[0].unit, "%");
    EXPECT_EQ(c->points[0].max, 100.0);
    EXPECT_EQ(c->points[1].object, (ObjectId{ObjectType::binary_output, 2}));
    EXPECT_EQ(c->points[1].priority, 10);
    EXPECT_FALSE(c->points[1].cov);  // the device's cov: false
    EXPECT_EQ(c->points[3].ref.property, PropertyId::priority_array);
    EXPECT_EQ(c->points[3].ref.array_index, 8U);
}

TEST(BacnetConfig, AddressAloneIsEnoughAndMacsHaveThreeForms) {
    auto c = parse(
        "address: 192.0.2.9\n"
        "dnet: 7\n"
        "dadr: 0x0A0b\n"
        "points: [{name: t, object: AI:1}]\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->route->mac, (std::vector<std::uint8_t>{0x0a, 0x0b}));
    auto ip = parse(
        "address: 192.0.2.9\n"
        "dnet: 7\n"
        "dadr: 10.1.2.3:47808\n"
        "points: [{name: t, object: AI:1}]\n");
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->route->mac, (std::vector<std::uint8_t>{10, 1, 2, 3, 0xBA, 0xC0}));
}

TEST(BacnetConfig, ErrorsNameFileLineAndKey) {
    EXPECT_EQ(error_of("points: [{name: t, object: AI:1}]\n"),
              "devices.d/ahu.yaml:1:1: (root): a BACnet device needs `device_instance` (found by "
              "Who-Is), `address` (ip:port), or both");
    EXPECT_EQ(error_of(kMinimal + "colour: blue\n"),
              "devices.d/ahu.yaml:5:1: colour: unknown key \"colour\"");
    EXPECT_EQ(error_of("device_instance: 4194303\npoints: [{name: t, object: AI:1}]\n"),
              "devices.d/ahu.yaml:1:18: device_instance: 4194303 is out of range [0, 4194302]");
    EXPECT_EQ(error_of("address: 192.0.2.300\npoints: [{name: t, object: AI:1}]\n"),
              "devices.d/ahu.yaml:1:10: address: \"192.0.2.300\" is not an IPv4 address such as "
              "192.0.2.10 or 192.0.2.10:47808");
    EXPECT_EQ(error_of("address: 192.0.2.3:0\npoints: [{name: t, object: AI:1}]\n"),
              "devices.d/ahu.yaml:1:10: address: \"192.0.2.3:0\": the port after ':' must be "
              "1-65535");
    EXPECT_EQ(error_of("device_instance: 1\npoints: [{name: t, object: XY:1}]\n"),
              "devices.d/ahu.yaml:2:28: points[0].object: \"XY\" is not an object type (AI, AO, "
              "AV, BI, BO, BV, MSI, MSO, MSV, a standard name such as analog-input, or a number)");
    EXPECT_EQ(error_of("device_instance: 1\npoints: [{name: t, object: AI}]\n"),
              "devices.d/ahu.yaml:2:28: points[0].object: \"AI\" is not an object: write "
              "TYPE:INSTANCE, e.g. AI:1 or analog-input:1");
    EXPECT_EQ(error_of("device_instance: 1\npoints: [{name: t, object: AI:1, property: colour}]\n"),
              "devices.d/ahu.yaml:2:44: points[0].property: \"colour\" is not a BACnet property "
              "name (such as present-value) or number");
}

TEST(BacnetConfig, PointRulesAreChecked) {
    const std::string head = "device_instance: 1\npoints:\n";
    EXPECT_NE(error_of(head + "  - {name: t, object: AI:1}\n  - {name: t, object: AI:2}\n")
                  .find("point name \"t\" is used twice"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t.relinquish, object: AO:1}\n").find("reserved"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: AI:1, priority: 8}\n")
                  .find("priority applies to writes; it needs writable: true"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: AO:1, writable: true, priority: 17}\n")
                  .find("17 is out of range [1, 16]"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: AO:1, property: description, writable: "
                              "true}\n")
                  .find("only the present-value"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: BO:1, writable: true, max: 1}\n")
                  .find("does not apply to binary points"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: AO:1, writable: true, min: 5, max: 1}\n")
                  .find("max is below min"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: AI:1, property: units, cov: true}\n")
                  .find("COV is for the present-value"),
              std::string::npos);
    EXPECT_NE(error_of(head + "  - {name: t, object: AO:1, relinquish_after: 5m}\n")
                  .find("relinquish_after applies to writes"),
              std::string::npos);
    EXPECT_NE(error_of("device_instance: 1\ndnet: 5\ndadr: 3\npoints: [{name: t, object: AI:1}]\n")
                  .find("a routed device needs `address`"),
              std::string::npos);
    EXPECT_NE(error_of("address: 192.0.2.1\ndnet: 5\npoints: [{name: t, object: AI:1}]\n")
                  .find("dadr: required key is missing"),
              std::string::npos);
    EXPECT_NE(error_of("address: 192.0.2.1\ndnet: 5\ndadr: 0x123\n"
                       "points: [{name: t, object: AI:1}]\n")
                  .find("a hex MAC has 2 to 14 digits"),
              std::string::npos);
    EXPECT_NE(error_of(kMinimal + "cov_lifetime: 1500ms\n").find("must be whole seconds"),
              std::string::npos);
    EXPECT_NE(error_of(kMinimal + "bbmd: {ttl: 1m}\n").find("bbmd.address: required key"),
              std::string::npos);
    EXPECT_NE(error_of(kMinimal + "state_dir: state\n").find("must be an absolute path"),
              std::string::npos);
    EXPECT_NE(error_of("device_instance: 1\npoints: []\n").find("at least one point"),
              std::string::npos);
}

TEST(BacnetConfig, ObjectIdTextRoundTrips) {
    std::string why;
    for (const char* text : {"AI:1", "MSV:4194302", "analog-input:7", "analog-input,7", "8:1",
                             "multi_state_output:2"}) {
        auto id = parse_object_id(text, why);
        ASSERT_TRUE(id) << text << ": " << why;
        EXPECT_EQ(parse_object_id(object_id_text(*id), why), id) << text;
    }
    EXPECT_EQ(object_id_text({ObjectType::multi_state_output, 2}), "MSO:2");
    EXPECT_EQ(object_id_text({ObjectType::device, 9}), "device:9");
    EXPECT_FALSE(parse_object_id("AI:-1", why));
    EXPECT_FALSE(parse_object_id("AI:4194303", why));
    EXPECT_FALSE(parse_object_id("AI:", why));
}

}  // namespace
}  // namespace lintel::bacnet
