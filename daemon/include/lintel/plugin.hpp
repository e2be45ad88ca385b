// The plugin SDK: what a driver plugin implements and what the host gives it.
// A plugin includes only headers under lintel/ and exports one C symbol, lintel_plugin_entry.
// Bump kSdkVersion on any change to these interfaces: the host refuses plugins built for another.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/asio.hpp"
#include "lintel/config_node.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "lintel/point.hpp"

namespace lintel::sdk {

inline constexpr std::uint32_t kSdkVersion = 1;

enum class Health { starting, ok, degraded, down };
constexpr std::string_view to_string(Health h) {
    switch (h) {
        case Health::starting:
            return "starting";
        case Health::ok:
            return "ok";
        case Health::degraded:
            return "degraded";
        case Health::down:
            return "down";
    }
    return "down";
}

enum class ValueKind { boolean, integer, real, string };

// A point a cloud command may write, as declared writable in the device config.
struct WritablePoint {
    std::string point;
    ValueKind kind = ValueKind::real;
    std::optional<double> min;  // inclusive, in engineering units (after scale/offset)
    std::optional<double> max;
};

using WriteDone = std::function<void(Expected<void>)>;

// What the host gives one device. Every call must come from the loop's executor.
class DeviceHost {
public:
    virtual ~DeviceHost() = default;
    virtual asio::any_io_executor executor() = 0;
    // Hands values to the store-and-forward buffer. Values are accepted once committed.
    virtual void publish(std::vector<PointValue> values) = 0;
    virtual void report_health(Health health, std::string_view detail) = 0;
    // Logger already tagged with this device (DEVICE= field).
    virtual Logger& log() = 0;
    virtual void expose_writable(WritablePoint point) = 0;
};

// One configured device, run by its driver inside the loop.
class Device {
public:
    virtual ~Device() = default;
    virtual void start() = 0;
    // Cancels all outstanding work; after stop() returns the device calls its host no more.
    virtual void stop() = 0;
    // Writes one point (engineering units); `done` is called once, on the loop.
    virtual void write(std::string_view point, const Value& value, WriteDone done) = 0;
};

// The device's config as the plugin sees it: its map with the host's own keys
// (name, driver, enabled) removed, still carrying file/line/column marks.
struct DeviceSpec {
    std::string name;
    ConfigNode settings;
};

class Driver {
public:
    virtual ~Driver() = default;
    // Validates `spec` and builds the device without starting it (no I/O, no side effects),
    // so the same call serves --check-config. On invalid config adds to `errors`, returns null.
    virtual std::unique_ptr<Device> create(const DeviceSpec& spec, DeviceHost& host,
                                           ConfigErrors& errors) = 0;
};

}  // namespace lintel::sdk

extern "C" {

// Layout is frozen for every SDK version: the host reads sdk_version before anything else.
struct lintel_plugin_info {
    std::uint32_t sdk_version;
    const char* name;     // driver name used in device configs ("modbus")
    const char* version;  // plugin's own version, for logs
    lintel::sdk::Driver* (*create_driver)();
    void (*destroy_driver)(lintel::sdk::Driver*);
};

// Every plugin defines exactly this function (use LINTEL_PLUGIN below).
typedef const lintel_plugin_info* (*lintel_plugin_entry_fn)();
}

#define LINTEL_PLUGIN_ENTRY_SYMBOL "lintel_plugin_entry"

// Defines the entry point of a plugin whose Driver subclass is DriverType.
#define LINTEL_PLUGIN(plugin_name, plugin_version, DriverType)                  \
    extern "C" __attribute__((visibility("default"))) const lintel_plugin_info* \
    lintel_plugin_entry() {                                                     \
        static const lintel_plugin_info info{                                   \
            lintel::sdk::kSdkVersion, plugin_name, plugin_version,              \
            []() -> lintel::sdk::Driver* { return new DriverType(); },          \
            [](lintel::sdk::Driver* d) { delete d; }};                          \
        return &info;                                                           \
    }
