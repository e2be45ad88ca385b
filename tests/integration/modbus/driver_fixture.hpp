// Test fixture shared by the Modbus integration tests: a loop under a watchdog, the driver (so
// devices created by one test share buses like in the daemon), a peer starter and device helpers.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>

#include "driver.hpp"
#include "fake_host.hpp"
#include "outline.hpp"
#include "peer.hpp"
#include "support/asio_run.hpp"
#include "support/wait.hpp"

namespace lintel::modbus::test {

// One entry of a device's `points:` list; `extra` holds more keys, each line indented by 4.
inline std::string point(const std::string& name, const std::string& table, int address,
                         const std::string& extra = "") {
    return "  - name: " + name + "\n    table: " + table +
           "\n    address: " + std::to_string(address) + "\n" + extra;
}

class DriverFixture : public ::testing::Test {
protected:
    std::unique_ptr<ModbusPeer> start_peer(PeerOptions options = {}) {
        auto p = ModbusPeer::start(options);
        EXPECT_TRUE(p) << (p ? "" : p.error().message);
        return p ? std::move(*p) : nullptr;
    }

    std::unique_ptr<sdk::Device> make_device(FakeHost& host, const std::string& yaml,
                                             const std::string& name = "meter") {
        sdk::ConfigErrors errors;
        auto device = driver_.create(sdk::DeviceSpec{name, Outline::parse(yaml)}, host, errors);
        EXPECT_TRUE(device) << errors.to_string();
        return device;
    }

    bool run_until(const std::function<bool()>& predicate,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return lintel::test::run_until(io_, predicate, timeout);
    }

    // Stops the devices and checks that their coroutines and handlers all finish promptly.
    void stop_and_drain(std::initializer_list<sdk::Device*> devices) {
        for (sdk::Device* d : devices) d->stop();
        io_.restart();
        const auto start = std::chrono::steady_clock::now();
        io_.run_for(std::chrono::seconds(5));
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2))
            << "work left after stop()";
    }
    void stop_and_drain(sdk::Device& device) { stop_and_drain({&device}); }

    asio::io_context io_;
    lintel::test::TestWatchdog dog_{std::chrono::seconds(120), [this] { io_.stop(); }};
    ModbusDriver driver_;
};

}  // namespace lintel::modbus::test
