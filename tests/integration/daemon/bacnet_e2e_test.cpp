// BACnet end to end: linteld with bacnet.so against the simulated device, a real mosquitto and
// the "cloud" observer: values by COV reach the telemetry topic, signed write-point commands land
// in the right priority slot and relinquish, a timed relinquish happens although linteld was
// restarted in between, and a reload (new sockets on the same port) keeps the values coming.
#include "commands_fixture.hpp"
#include "support/bacnet_device.hpp"

namespace lintel::test {
namespace {

class BacnetE2ETest : public CommandsTest {
protected:
    void SetUp() override {
        if (auto ok = BacnetDevice::available(); !ok) GTEST_SKIP() << ok.error().message;
        CommandsTest::SetUp();
        if (HasFatalFailure()) return;
        const std::string broadcast =
            "127.255.255.255:" + std::to_string(free_udp_port("127.0.0.3"));
        BacnetDeviceOptions options;
        options.broadcast = broadcast;
        auto sim = BacnetDevice::start(options);
        ASSERT_TRUE(sim) << sim.error().message;
        sim_ = std::make_unique<BacnetDevice>(std::move(*sim));
        write_main_config(commands_yaml(
            100, "50/1m", "synced",
            "        - {action: write-point, devices: [ahu], points: [valve, valve.relinquish, "
            "setpoint]}\n"));
        write_devices(
            "devices:\n"
            "  - name: ahu\n"
            "    driver: bacnet\n"
            "    address: " +
            sim_->address() +
            "\n"
            "    local: 127.0.0.3:" +
            std::to_string(free_udp_port("127.0.0.3")) +
            "\n"
            "    broadcast: " +
            broadcast +
            "\n"
            "    timeout: 500ms\n"
            "    poll_interval: 300ms\n"
            "    cov_lifetime: 1h\n"
            "    state_dir: " +
            (dir_->path() / "bacnet-state").string() +
            "\n"
            "    points:\n"
            "      - {name: temp, object: AI:1}\n"
            "      - {name: valve, object: AO:1, writable: true, priority: 8, min: 0, "
            "max: 100}\n"
            "      - {name: setpoint, object: AV:1, writable: true, relinquish_after: "
            "3s}\n");
    }

    // Slot `priority` of `object`'s priority array at the device.
    nlohmann::json slot(const std::string& object, std::size_t priority) {
        return nlohmann::json::parse(sim_->must("priority " + object)).at(priority - 1);
    }

    std::optional<commands::CommandResult> write_point(const std::string& point,
                                                       nlohmann::json value) {
        auto c = command("write-point", {{"device", "ahu"}, {"point", point}, {"value", value}});
        send(sign(c, ops_));
        return result_for(c.id);
    }

    std::unique_ptr<BacnetDevice> sim_;
};

TEST_F(BacnetE2ETest, ValuesByCovReachTheCloud) {
    start_daemon();
    ASSERT_TRUE(wait_point("temp", [](const auto& p) {
        return p.at("value") == 21.0 && p.at("unit") == "°C" && p.at("quality") == "good";
    })) << daemon_log();
    sim_->must("set AI:1 22.5");
    ASSERT_TRUE(wait_point("temp", [](const auto& p) { return p.at("value") == 22.5; }));
    EXPECT_EQ(nlohmann::json::parse(sim_->must("subs")).size(), 3U);  // temp, valve, setpoint
    // A reload builds new devices and a new socket on the same port while the old one closes.
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_log("configuration reloaded", 10s));
    sim_->must("set AI:1 23.5");
    ASSERT_TRUE(wait_point("temp", [](const auto& p) { return p.at("value") == 23.5; }))
        << daemon_log();
}

TEST_F(BacnetE2ETest, SignedWritesLandInTheirPrioritySlotAndRelinquish) {
    start_and_wait_for_commands();
    ASSERT_TRUE(wait_point("valve", [](const auto& p) { return p.at("quality") == "good"; }));
    auto w = write_point("valve", 42.5);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, commands::ResultStatus::ok) << w->output.dump();
    EXPECT_EQ(slot("AO:1", 8), 42.5);
    ASSERT_TRUE(wait_point("valve", [](const auto& p) { return p.at("value") == 42.5; }));
    // The limits declared by the plugin are enforced before anything is sent.
    auto too_high = write_point("valve", 150);
    ASSERT_TRUE(too_high);
    EXPECT_EQ(too_high->status, commands::ResultStatus::rejected);
    EXPECT_EQ(too_high->reason, commands::reason::out_of_range);
    auto r = write_point("valve.relinquish", true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    EXPECT_TRUE(slot("AO:1", 8).is_null());
    ASSERT_TRUE(wait_point("valve", [](const auto& p) { return p.at("value") == 0.0; }));
}

TEST_F(BacnetE2ETest, ATimedRelinquishHappensAcrossARestart) {
    start_and_wait_for_commands();
    ASSERT_TRUE(wait_point("setpoint", [](const auto& p) { return p.at("quality") == "good"; }));
    auto w = write_point("setpoint", 25);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, commands::ResultStatus::ok) << w->output.dump();
    EXPECT_EQ(slot("AV:1", 16), 25);
    // linteld goes away before the 3 s are up; the promise waits on disk.
    daemon_->signal(SIGTERM);
    ASSERT_TRUE(daemon_->wait_exit(10s));
    EXPECT_EQ(slot("AV:1", 16), 25);
    EXPECT_TRUE(fs::exists(dir_->path() / "bacnet-state" / "ahu.relinquish"));
    start_daemon();
    ASSERT_TRUE(wait_until([&] { return slot("AV:1", 16).is_null(); }, 10s)) << daemon_log();
    EXPECT_TRUE(wait_log("timed relinquish(es) pending from before this start", 5s));
    ASSERT_TRUE(wait_point("setpoint", [](const auto& p) { return p.at("value") == 21.0; }));
    EXPECT_TRUE(wait_until(
        [&] { return !fs::exists(dir_->path() / "bacnet-state" / "ahu.relinquish"); }, 5s));
    // Every subscription got its first notification (even one that overtook the SubscribeCOV
    // acknowledgement): nothing fell back to polling.
    EXPECT_EQ(daemon_log().find("no COV notification"), std::string::npos) << daemon_log();
}

}  // namespace
}  // namespace lintel::test
