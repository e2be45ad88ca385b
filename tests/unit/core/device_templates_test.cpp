// Device templates: merge rules, marks of merged keys, points merge and removal, and every error
// (unknown template, driver mismatch, nesting, duplicates), loaded through load_config.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/config_loader.hpp"
#include "core/device_templates.hpp"

namespace lintel::core {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = "/nonexistent-lintel-templates-test";

const std::string kMain =
    "gateway: {id: gw-t}\n"
    "uplink:\n"
    "  host: localhost\n"
    "  tls: {ca_file: /x/ca.pem, cert_file: /x/gw.pem, key_file: /x/gw.key}\n";

const std::string kMeterTemplate =
    "templates:\n"
    "  - name: em24\n"         // line 2
    "    driver: modbus\n"     // line 3
    "    poll_interval: 5s\n"  // line 4
    "    timeout: 1s\n"        // line 5
    "    report: {deadband: 0.5, heartbeat: 15m}\n"
    "    options: {word_order: big, retry: {count: 2, delay: 1s}}\n"
    "    points:\n"
    "      - {name: voltage, table: input_register, address: 0, type: float32, unit: V}\n"
    "      - {name: current, table: input_register, address: 2, type: float32, unit: A}\n"
    "      - {name: energy, table: input_register, address: 4, type: uint32, unit: kWh}\n";

// The devices.d files by name, all from memory (the directory does not exist on disk).
std::optional<Config> load(const std::map<std::string, std::string>& files,
                           sdk::ConfigErrors& errors) {
    ConfigOverlay overlay{{kDir / "lintel.yaml", kMain}};
    for (const auto& [name, text] : files) overlay[kDir / "devices.d" / name] = text;
    LoadOptions options{"/usr/lib/lintel/plugins", false, &overlay};
    return load_config(kDir / "lintel.yaml", options, errors);
}

const DeviceEntry& device(const Config& c, const std::string& name) {
    auto it = std::find_if(c.devices.begin(), c.devices.end(),
                           [&](const DeviceEntry& d) { return d.name == name; });
    EXPECT_NE(it, c.devices.end()) << name;
    return *it;
}

const sdk::ConfigNode& at(const sdk::ConfigNode& n, std::string_view key) {
    const sdk::ConfigNode* c = n.find(key);
    EXPECT_NE(c, nullptr) << key;
    static const sdk::ConfigNode none;
    return c != nullptr ? *c : none;
}

std::vector<std::string> point_names(const DeviceEntry& d) {
    std::vector<std::string> out;
    for (const auto& p : at(d.settings, "points").items) out.push_back(at(p, "name").scalar);
    return out;
}

TEST(DeviceTemplates, TwoDevicesFromOneTemplateInAnotherFileInEitherOrder) {
    const std::string devices =
        "devices:\n"
        "  - {name: meter-1, template: em24, host: 192.0.2.10, unit_id: 1}\n"
        "  - {name: meter-2, template: em24, driver: modbus, host: 192.0.2.11, unit_id: 2}\n";
    for (const auto& [first, second] : {std::pair{"a-devices.yaml", "b-templates.yaml"},
                                        {"b-devices.yaml", "a-templates.yaml"}}) {
        sdk::ConfigErrors errors;
        auto c = load({{first, devices}, {second, kMeterTemplate}}, errors);
        ASSERT_TRUE(c) << errors.to_string();
        ASSERT_EQ(c->devices.size(), 2U);
        const auto& m2 = device(*c, "meter-2");
        EXPECT_EQ(m2.driver, "modbus");
        EXPECT_EQ(at(m2.settings, "host").scalar, "192.0.2.11");
        EXPECT_EQ(at(m2.settings, "poll_interval").scalar, "5s");
        EXPECT_EQ(point_names(m2), (std::vector<std::string>{"voltage", "current", "energy"}));
        // Host keys never reach the driver; report: came from the template.
        EXPECT_EQ(m2.settings.find("report"), nullptr);
        EXPECT_EQ(m2.settings.find("template"), nullptr);
        EXPECT_EQ(m2.settings.find("name"), nullptr);
        ASSERT_TRUE(m2.report);
        EXPECT_EQ(m2.report->device.deadband, 0.5);
        EXPECT_EQ(device(*c, "meter-1").driver, "modbus");
    }
}

TEST(DeviceTemplates, MergedKeysKeepTheirMarksAndNameTemplateAndDevice) {
    sdk::ConfigErrors errors;
    auto c = load({{"t.yaml", kMeterTemplate},
                   {"d.yaml", "devices:\n  - {name: meter-7, template: em24, timeout: 2s}\n"}},
                  errors);
    ASSERT_TRUE(c) << errors.to_string();
    const auto& d = device(*c, "meter-7");
    // From the template: its file and line, and a path naming template and device.
    const auto& poll = at(d.settings, "poll_interval");
    EXPECT_EQ(poll.mark.file, (kDir / "devices.d/t.yaml").string());
    EXPECT_EQ(poll.mark.line, 4);
    EXPECT_EQ(poll.path, "templates[0](template em24 of device meter-7).poll_interval");
    const auto& address = at(at(d.settings, "points").items[2], "address");
    EXPECT_EQ(address.mark.line, 11);
    EXPECT_NE(address.path.find("template em24 of device meter-7"), std::string::npos);
    // From the device: its own file and line.
    const auto& timeout = at(d.settings, "timeout");
    EXPECT_EQ(timeout.mark.file, (kDir / "devices.d/d.yaml").string());
    EXPECT_EQ(timeout.mark.line, 2);
    EXPECT_EQ(timeout.scalar, "2s");
    EXPECT_EQ(d.settings.mark.file, (kDir / "devices.d/d.yaml").string());
}

TEST(DeviceTemplates, MapsMergeRecursivelyAndOtherValuesAreReplaced) {
    sdk::ConfigErrors errors;
    auto c = load({{"t.yaml", kMeterTemplate},
                   {"d.yaml",
                    "devices:\n"
                    "  - name: m\n"
                    "    template: em24\n"
                    "    options: {retry: {count: 5}}\n"
                    "    report: {heartbeat: 1h, points: {energy: {deadband: 0.01}}}\n"}},
                  errors);
    ASSERT_TRUE(c) << errors.to_string();
    const auto& d = device(*c, "m");
    const auto& options = at(d.settings, "options");
    EXPECT_EQ(at(options, "word_order").scalar, "big");
    EXPECT_EQ(at(at(options, "retry"), "count").scalar, "5");
    EXPECT_EQ(at(at(options, "retry"), "delay").scalar, "1s");
    ASSERT_TRUE(d.report);
    EXPECT_EQ(d.report->device.deadband, 0.5);  // kept from the template
    EXPECT_EQ(d.report->device.heartbeat, std::chrono::hours(1));
    EXPECT_EQ(d.report->for_point("energy").deadband, 0.01);
}

TEST(DeviceTemplates, PointsMergeByNameAppendAndRemove) {
    sdk::ConfigErrors errors;
    auto c =
        load({{"t.yaml", kMeterTemplate},
              {"d.yaml",
               "devices:\n"
               "  - name: m\n"
               "    template: em24\n"
               "    points_remove: [current]\n"
               "    points:\n"
               "      - {name: voltage, address: 100}\n"
               "      - {name: frequency, table: input_register, address: 6, type: float32}\n"}},
             errors);
    ASSERT_TRUE(c) << errors.to_string();
    const auto& d = device(*c, "m");
    EXPECT_EQ(point_names(d), (std::vector<std::string>{"voltage", "energy", "frequency"}));
    const auto& voltage = at(d.settings, "points").items[0];
    EXPECT_EQ(at(voltage, "address").scalar, "100");
    EXPECT_EQ(at(voltage, "address").mark.line, 6);  // the device's line
    EXPECT_EQ(at(voltage, "type").scalar, "float32");
    EXPECT_EQ(at(voltage, "unit").scalar, "V");
    EXPECT_EQ(d.settings.find("points_remove"), nullptr);
}

TEST(DeviceTemplates, ErrorsNameFileLineAndColumn) {
    sdk::ConfigErrors errors;
    auto c = load({{"t.yaml", kMeterTemplate + "  - name: nested\n"
                                               "    template: em24\n"
                                               "  - name: em24\n"
                                               "    driver: bacnet\n"},
                   {"d.yaml",
                    "devices:\n"
                    "  - {name: a, template: nope}\n"
                    "  - {name: b, template: em24, driver: bacnet}\n"
                    "  - {name: c, template: em24, points_remove: [voltage, missing]}\n"}},
                  errors);
    EXPECT_FALSE(c);
    const std::string text = errors.to_string();
    const std::string t = (kDir / "devices.d/t.yaml").string();
    const std::string d = (kDir / "devices.d/d.yaml").string();
    EXPECT_NE(text.find(t + ":13:15: templates[1].template: a template may not use another "
                            "template"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(t +
                        ":14:11: templates[2].name: duplicate template name \"em24\" (first "
                        "defined at " +
                        t + ":2)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(d + ":2:25: devices[0].template: unknown template \"nope\""),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(d +
                        ":3:39: devices[1].driver: driver \"bacnet\" does not match template "
                        "\"em24\" (driver \"modbus\" at " +
                        t + ":3)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(d + ":4:56: devices[2].points_remove[1]: template \"em24\" has no point "
                            "\"missing\" to remove"),
              std::string::npos)
        << text;
    EXPECT_EQ(errors.size(), 5U) << text;
}

TEST(DeviceTemplates, TemplatesOnlyInDevicesDirAndPointsRemoveOnlyWithATemplate) {
    sdk::ConfigErrors errors;
    ConfigOverlay overlay{
        {kDir / "lintel.yaml", kMain + "devices:\n  - {name: x, driver: modbus, template: em24}\n"},
        {kDir / "devices.d/t.yaml", kMeterTemplate},
        {kDir / "devices.d/d.yaml",
         "devices:\n  - {name: y, driver: modbus, points_remove: [a]}\n"}};
    LoadOptions options{"/usr/lib/lintel/plugins", false, &overlay};
    EXPECT_FALSE(load_config(kDir / "lintel.yaml", options, errors));
    const std::string text = errors.to_string();
    EXPECT_NE(text.find("devices[0].template: templates are only available to devices in "
                        "devices.d files"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("devices[0].points_remove: points_remove needs a template"),
              std::string::npos)
        << text;
}

TEST(DeviceTemplates, AFileOfTemplatesOnlyIsValidAndUnusedTemplatesRunNothing) {
    sdk::ConfigErrors errors;
    auto c = load({{"t.yaml", kMeterTemplate}}, errors);
    ASSERT_TRUE(c) << errors.to_string();
    EXPECT_TRUE(c->devices.empty());
}

TEST(DeviceTemplates, TemplateWithoutDriverNeedsTheDevicesDriver) {
    sdk::ConfigErrors errors;
    auto c = load({{"t.yaml", "templates:\n  - {name: bare, poll_interval: 1s}\n"},
                   {"d.yaml",
                    "devices:\n  - {name: a, template: bare, driver: modbus}\n"
                    "  - {name: b, template: bare}\n"}},
                  errors);
    EXPECT_FALSE(c);
    EXPECT_NE(errors.to_string().find("d.yaml:3:5: devices[1].driver: required key is missing"),
              std::string::npos)
        << errors.to_string();
    EXPECT_EQ(errors.size(), 1U) << errors.to_string();
}

TEST(DeviceTemplates, ReportSettingsAreCheckedStrictly) {
    sdk::ConfigErrors errors;
    auto c = load({{"d.yaml",
                    "devices:\n"
                    "  - name: a\n"
                    "    driver: modbus\n"
                    "    report: {deadband: -1, heartbeat: 100ms, colour: red,\n"
                    "             points: {x: {deadband: 1, deadband_percent: 5}}}\n"}},
                  errors);
    EXPECT_FALSE(c);
    const std::string text = errors.to_string();
    EXPECT_NE(text.find("devices[0].report.deadband: must be from 0 to 1e15"), std::string::npos)
        << text;
    EXPECT_NE(text.find("devices[0].report.heartbeat"), std::string::npos) << text;
    EXPECT_NE(text.find("devices[0].report.colour"), std::string::npos) << text;
    EXPECT_NE(text.find("report.points.x.deadband_percent: give deadband or deadband_percent"),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace lintel::core
