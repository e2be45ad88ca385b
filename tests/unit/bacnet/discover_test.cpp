// Unit tests of lintel-bacnet-discover's pure parts: options, point names, and the rendered
// device table and devices.d entry (which must load as a valid bacnet device config).
#include <gtest/gtest.h>

#include "config.hpp"
#include "core/yaml_loader.hpp"
#include "options.hpp"
#include "point_map.hpp"

namespace lintel::bacnet {
namespace {

Expected<discover::Options> parse(std::vector<std::string> args) {
    return discover::parse_options(args);
}

TEST(BacnetDiscoverOptions, DefaultsAndEveryOption) {
    auto d = parse({});
    ASSERT_TRUE(d);
    EXPECT_EQ(to_string(d->link.local), "0.0.0.0:47808");
    EXPECT_EQ(to_string(d->link.broadcast), "255.255.255.255:47808");
    EXPECT_FALSE(d->link.bbmd || d->device || d->low || d->address);
    auto o = parse({"--local", "192.0.2.5:47809", "--bbmd", "198.51.100.1", "--ttl", "2m", "--low",
                    "10", "--high", "20", "--address", "192.0.2.9", "--wait", "500ms", "--timeout",
                    "1s", "--retries", "3", "-v"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(to_string(o->link.broadcast), "255.255.255.255:47809");  // the local port
    EXPECT_EQ(to_string(o->link.bbmd->address), "198.51.100.1:47808");
    EXPECT_EQ(o->link.bbmd->ttl, std::chrono::seconds(120));
    EXPECT_EQ(o->low, 10U);
    EXPECT_EQ(o->high, 20U);
    EXPECT_EQ(o->wait, std::chrono::milliseconds(500));
    EXPECT_EQ(o->retries, 3);
    EXPECT_TRUE(o->verbose);
}

TEST(BacnetDiscoverOptions, MistakesAreUsageErrors) {
    auto message = [](std::vector<std::string> args) {
        auto o = parse(std::move(args));
        EXPECT_FALSE(o);
        return o ? std::string() : o.error().message;
    };
    EXPECT_EQ(message({"--bogus"}), "unknown option --bogus (see --help)");
    EXPECT_EQ(message({"--device"}), "--device needs a value (see --help)");
    EXPECT_EQ(message({"--device", "4194303"}),
              "--device: \"4194303\" is not a device instance (0-4194302)");
    EXPECT_EQ(message({"--low", "5"}), "--low and --high go together");
    EXPECT_EQ(message({"--low", "5", "--high", "4"}), "--low is above --high");
    EXPECT_EQ(message({"--ttl", "1m"}), "--ttl needs --bbmd");
    EXPECT_NE(message({"--local", "host:1"}).find("is not an IPv4 address"), std::string::npos);
    EXPECT_TRUE(parse({"--help"})->help);
}

TEST(BacnetDiscoverPointMap, PointNamesAreValidAndReadable) {
    const ObjectId ai{ObjectType::analog_input, 7};
    EXPECT_EQ(point_name("Room Temperature (North)", ai), "room_temperature_north");
    EXPECT_EQ(point_name("  --  ", ai), "ai_7");
    EXPECT_EQ(point_name("", {ObjectType::multi_state_value, 2}), "msv_2");
    EXPECT_EQ(point_name(std::string(100, 'x'), ai).size(), 64U);
}

TEST(BacnetDiscoverPointMap, TheEntryLoadsAsADeviceConfig) {
    const DiscoveredDevice device{1234, {{{192, 0, 2, 10}, 47808}, std::nullopt}, 480, 5, "AHU 1"};
    const std::vector<DiscoveredObject> objects{
        {{ObjectType::device, 1234}, "AHU 1", "", std::nullopt},
        {{ObjectType::analog_input, 1}, "Supply temp", "after the coil", units::degrees_celsius},
        {{ObjectType::analog_input, 2}, "Supply temp", "", units::degrees_celsius},
        {{ObjectType::binary_output, 1}, "Fan\ncommand", "", std::nullopt},
        {{ObjectType::trend_log, 1}, "Log", "", std::nullopt},
    };
    const std::string yaml = render_point_map(device, objects, true);
    EXPECT_NE(yaml.find("device 1234 \"AHU 1\" at 192.0.2.10:47808, max APDU 480, 5 objects "
                        "(object-list read by index)"),
              std::string::npos)
        << yaml;
    EXPECT_NE(yaml.find("{name: supply_temp, object: AI:1}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("{name: supply_temp_2, object: AI:2}"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("# \"Supply temp\", °C, after the coil"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("# \"Fan command\", commandable"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("# not listed: 1 trend-log object(s)"), std::string::npos) << yaml;

    sdk::ConfigErrors errors;
    auto root = core::load_yaml_string(yaml, "discovered.yaml", errors);
    ASSERT_TRUE(root) << errors.to_string() << yaml;
    const sdk::ConfigNode& entry = root->find("devices")->items.at(0);
    EXPECT_EQ(entry.find("name")->scalar, "ahu_1");
    sdk::ConfigNode settings = entry;
    std::erase_if(settings.entries,
                  [](const sdk::ConfigEntry& e) { return e.key == "name" || e.key == "driver"; });
    auto config = parse_device_config(settings, errors);
    ASSERT_TRUE(config) << errors.to_string();
    EXPECT_EQ(config->points.size(), 3U);
}

TEST(BacnetDiscoverPointMap, DeviceTableIsSortedByInstance) {
    const std::string table = render_device_list({
        {20, {{{192, 0, 2, 20}, 47808}, std::nullopt}, 1476, 7, "B"},
        {3, {{{192, 0, 2, 1}, 47808}, NetworkAddress{5, {9}}}, 480, 8, ""},
    });
    EXPECT_EQ(table,
              "# instance  address                          max-apdu  vendor  name\n"
              "3           192.0.2.1:47808 via network 5, MAC 0x09 480       8       -\n"
              "20          192.0.2.20:47808                 1476      7       B\n");
}

}  // namespace
}  // namespace lintel::bacnet
