// Builds, starts and stops the configured devices through their driver plugins, and gives each
// one its DeviceHost (executor, publish, health, logging, writable points).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/logging.hpp"
#include "core/plugin_host.hpp"
#include "core/report_filter.hpp"
#include "lintel/plugin.hpp"

namespace lintel::core {

// Values to report (after report-by-exception filtering), and every value read.
using PointSink = std::function<void(std::vector<sdk::PointValue>)>;
using PointObserver = std::function<void(const sdk::PointValue&)>;

struct DeviceStatus {
    std::string name;
    std::string driver;
    sdk::Health health = sdk::Health::starting;
    std::string detail;
    std::uint64_t points_published = 0;   // values passed on to the store
    std::uint64_t points_suppressed = 0;  // values held back by report: (report by exception)
};

class DeviceManager {
public:
    // `sink` gets what is reported (the store), `observe` every value read, suppressed or not.
    DeviceManager(asio::any_io_executor executor, PluginHost& plugins, DaemonLogger& log,
                  PointSink sink, PointObserver observe = {});
    ~DeviceManager();
    DeviceManager(const DeviceManager&) = delete;
    DeviceManager& operator=(const DeviceManager&) = delete;

    // Creates every enabled device. Invalid device settings go to `config_errors` (the config is
    // then invalid); a plugin that cannot be loaded only disables the devices that need it.
    void build(const std::vector<DeviceEntry>& devices, sdk::ConfigErrors& config_errors);
    void start_all();
    void stop_all();

    std::size_t device_count() const { return devices_.size(); }
    std::size_t healthy_count() const;
    std::vector<DeviceStatus> statuses() const;
    // Writable points declared by the running devices, by device name.
    std::map<std::string, std::vector<sdk::WritablePoint>> writable_points() const;
    sdk::Device* find(const std::string& name);
    // Stops one device and starts a freshly built one from the same config entry.
    Expected<void> restart(const std::string& name);

private:
    class Runtime;
    std::unique_ptr<Runtime> create(sdk::Driver& driver, const DeviceEntry& entry,
                                    sdk::ConfigErrors& config_errors);

    asio::any_io_executor executor_;
    PluginHost& plugins_;
    DaemonLogger& log_;
    PointSink sink_;
    PointObserver observe_;
    std::vector<std::unique_ptr<Runtime>> devices_;
};

}  // namespace lintel::core
