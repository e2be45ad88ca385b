// Fixture for the BACnet driver's integration tests: simulated devices
// (tests/support/bacnet_device) on 127.0.0.2 / 127.0.0.4 with a shared broadcast port, the plugin's
// local endpoint on 127.0.0.3, device configs written as YAML, a fake host recording what the
// devices publish, and the loop run under deadlines and a watchdog.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/yaml_loader.hpp"
#include "driver.hpp"
#include "fake_host.hpp"
#include "support/asio_run.hpp"
#include "support/bacnet_device.hpp"
#include "support/wait.hpp"

namespace lintel::bacnet::test {

using namespace std::chrono_literals;
using lintel::test::BacnetDevice;
using lintel::test::BacnetDeviceOptions;
using modbus::test::FakeHost;

#define SKIP_WITHOUT_SIMULATOR()                                  \
    if (auto ok = lintel::test::BacnetDevice::available(); !ok) { \
        GTEST_SKIP() << ok.error().message;                       \
    }

class BacnetPluginTest : public ::testing::Test {
protected:
    // A simulator on `interface`, hearing broadcasts on this test's broadcast port.
    std::unique_ptr<BacnetDevice> start_sim(BacnetDeviceOptions options = {}) {
        if (options.broadcast.empty()) options.broadcast = broadcast();
        auto sim = BacnetDevice::start(options);
        EXPECT_TRUE(sim) << (sim ? "" : sim.error().message);
        return sim ? std::make_unique<BacnetDevice>(std::move(*sim)) : nullptr;
    }

    std::string broadcast() const { return "127.255.255.255:" + std::to_string(broadcast_port_); }
    std::string local() const { return "127.0.0.3:" + std::to_string(local_port_); }

    // Device keys for talking to `sim` by address, with fast timings; `extra` and `points` are
    // YAML lines (points indented as list items under "points:").
    std::string by_address(const BacnetDevice& sim, const std::string& extra,
                           const std::string& points) const {
        return "address: " + sim.address() + "\n" + common(extra) + "points:\n" + points;
    }
    std::string by_instance(std::uint32_t instance, const std::string& extra,
                            const std::string& points) const {
        return "device_instance: " + std::to_string(instance) + "\n" + common(extra) + "points:\n" +
               points;
    }
    // The test's keys, then these defaults for the keys it did not set.
    std::string common(const std::string& extra) const {
        std::string out = extra;
        const std::pair<std::string, std::string> defaults[] = {
            {"local", local()},         {"broadcast", broadcast()},
            {"timeout", "300ms"},       {"retries", "1"},
            {"poll_interval", "200ms"}, {"state_dir", (state_.path() / "state").string()}};
        for (const auto& [key, value] : defaults) {
            if (!extra.starts_with(key + ":") &&
                extra.find("\n" + key + ":") == std::string::npos) {
                out += key + ": " + value + "\n";
            }
        }
        return out;
    }

    std::unique_ptr<sdk::Device> make_device(FakeHost& host, const std::string& yaml,
                                             const std::string& name = "ahu") {
        sdk::ConfigErrors errors;
        auto root = core::load_yaml_string(yaml, "devices.d/" + name + ".yaml", errors);
        EXPECT_TRUE(root) << errors.to_string();
        if (!root) return nullptr;
        auto device = driver_.create(sdk::DeviceSpec{name, *root}, host, errors);
        EXPECT_TRUE(device) << errors.to_string() << "\n" << yaml;
        return device;
    }

    // make_device, then start().
    std::unique_ptr<sdk::Device> started(FakeHost& host, const std::string& yaml,
                                         const std::string& name = "ahu") {
        auto device = make_device(host, yaml, name);
        if (device) device->start();
        return device;
    }

    // One simulator and one started device reading it, ready once `first` has a good value.
    struct Rig {
        std::unique_ptr<BacnetDevice> sim;
        std::unique_ptr<FakeHost> host;
        std::unique_ptr<sdk::Device> device;
        bool ready = false;
    };
    Rig rig(const std::string& extra, const std::string& points, const std::string& first,
            const BacnetDeviceOptions& options = {}) {
        Rig r;
        r.sim = start_sim(options);
        if (!r.sim) return r;
        r.host = std::make_unique<FakeHost>(io_, "ahu");
        r.device = started(*r.host, by_address(*r.sim, extra, points));
        r.ready = r.device && run_until([&] { return r.host->has_good(first); });
        EXPECT_TRUE(r.ready) << r.sim->must("stats");
        return r;
    }

    bool run_until(const std::function<bool()>& predicate,
                   std::chrono::milliseconds timeout = 10s) {
        return lintel::test::run_until(io_, predicate, timeout);
    }
    void run_for(std::chrono::milliseconds d) { lintel::test::run_for(io_, d); }

    // Stops the device and checks that its coroutine and handlers all finish promptly.
    void stop_and_drain(sdk::Device& device) {
        device.stop();
        io_.restart();
        const auto start = std::chrono::steady_clock::now();
        io_.run_for(3s);
        EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "work left after stop()";
    }

    // Writes through the device and runs the loop until the write completes.
    Expected<void> write(sdk::Device& device, const std::string& point, sdk::Value value) {
        std::optional<Expected<void>> result;
        device.write(point, value, [&](Expected<void> r) { result = std::move(r); });
        if (!run_until([&] { return result.has_value(); }, 10s)) {
            return make_error("test.timeout", "the write did not complete");
        }
        return *result;
    }

    static nlohmann::json json(const std::string& text) { return nlohmann::json::parse(text); }
    // A request counter from the simulator's `stats` (0 when never seen).
    static int requests(BacnetDevice& sim, const std::string& service) {
        return json(sim.must("stats"))["requests"].value(service, 0);
    }

    static bool is(const FakeHost& host, const std::string& point, const sdk::Value& v,
                   sdk::Quality q = sdk::Quality::good) {
        auto p = host.latest(point);
        return p && p->value == v && p->quality == q;
    }

    asio::io_context io_;
    lintel::test::TestWatchdog dog_{60s, [this] { io_.stop(); }};
    lintel::test::TempDir state_{"lintel-bacnet"};
    std::uint16_t local_port_ = lintel::test::free_udp_port("127.0.0.3");
    std::uint16_t broadcast_port_ = lintel::test::free_udp_port("127.0.0.3");
    BacnetDriver driver_;
};

}  // namespace lintel::bacnet::test
