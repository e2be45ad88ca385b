// linteld end to end: Modbus peer -> linteld -> mosquitto (mTLS) -> observer, plus the systemd
// protocol, graceful stop and SIGHUP reload.
#include "daemon_fixture.hpp"

namespace lintel::test {
namespace {

TEST_F(DaemonTest, ModbusValuesArriveWithTypesAndScaling) {
    peer_->must("set hr 0 1234");      // int16 x 0.1 -> 123.4 degC
    peer_->must("setf32 ir 0 229.5");  // float32 -> 229.5 V
    peer_->must("set hr 2 1 2");       // uint32 big-endian words -> 65538 Wh
    peer_->must("set co 1 1");         // coil -> true
    start_daemon();

    ASSERT_TRUE(wait_point("setpoint", [](const auto& p) { return p.at("value") == 123.4; }));
    const auto setpoint = *latest("setpoint");
    EXPECT_EQ(setpoint.at("device"), "meter");
    EXPECT_EQ(setpoint.at("unit"), "degC");
    EXPECT_EQ(setpoint.at("quality"), "good");
    EXPECT_TRUE(setpoint.at("value").is_number_float());
    const auto voltage = *latest("voltage");
    EXPECT_DOUBLE_EQ(voltage.at("value").get<double>(), 229.5);
    const auto energy = *latest("energy");
    EXPECT_TRUE(energy.at("value").is_number_integer()) << energy.dump();
    EXPECT_EQ(energy.at("value").get<std::int64_t>(), 65538);
    EXPECT_EQ(latest("relay")->at("value"), true);

    // A value changed in the device shows up in the cloud, stamped at read time.
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    peer_->must("set hr 0 65436");  // -100 as int16 -> -10.0
    ASSERT_TRUE(wait_point("setpoint", [](const auto& p) { return p.at("value") == -10.0; }));
    EXPECT_GE(latest("setpoint")->at("ts").get<std::int64_t>(), before - 1000);

    // The retained status says online with the version.
    ASSERT_TRUE(wait_until(
        [&] {
            auto s = latest_status();
            return s && s->value("state", "") == "online";
        },
        10s));
    EXPECT_EQ(latest_status()->value("gateway", ""), kGateway);
}

TEST_F(DaemonTest, SystemdProtocolReadyStatusWatchdogStopping) {
    start_daemon();
    EXPECT_TRUE(wait_until([&] { return notify_->count("WATCHDOG=1") >= 3; }, 10s))
        << "WATCHDOG=1 must come from the loop every WATCHDOG_USEC/2";
    ASSERT_TRUE(wait_until(
        [&] { return notify_->last_status().find("link=connected") != std::string::npos; }, 10s))
        << notify_->last_status();
    EXPECT_NE(notify_->last_status().find("queue="), std::string::npos);

    const auto t0 = std::chrono::steady_clock::now();
    daemon_->signal(SIGTERM);
    auto status = daemon_->wait_exit(10s);
    ASSERT_TRUE(status) << "linteld did not exit within the shutdown deadline";
    EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 6s);
    EXPECT_GE(notify_->count("STOPPING=1"), 1U);
    // Clean stop publishes the retained offline status itself (not only via the Last Will).
    ASSERT_TRUE(wait_until(
        [&] {
            auto s = latest_status();
            return s && s->value("state", "") == "offline";
        },
        5s));
    EXPECT_NE(daemon_log().find("linteld stopped"), std::string::npos);
}

TEST_F(DaemonTest, InvalidReloadIsRejectedAndTheRunningConfigStays) {
    start_daemon();
    ASSERT_TRUE(wait_point("counter", [](const auto&) { return true; }));

    write_devices(default_devices() +
                  "      - {name: broken, table: holding_registr, address: 5, type: uint16}\n");
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_log("configuration reload rejected", 10s));
    EXPECT_NE(daemon_log().find("meter.yaml:"), std::string::npos)
        << "the error must name the file";
    EXPECT_TRUE(daemon_->running());

    // Still polling with the old config.
    peer_->must("set hr 20 4242");
    ASSERT_TRUE(wait_point("counter", [](const auto& p) { return p.at("value") == 4242; }));

    // A valid change applies: a new point appears.
    write_devices(default_devices() +
                  "      - {name: extra, table: holding_register, address: 30, type: uint16}\n");
    peer_->must("set hr 30 77");
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_log("configuration reloaded", 10s));
    ASSERT_TRUE(wait_point("extra", [](const auto& p) { return p.at("value") == 77; }));
}

TEST_F(DaemonTest, ReloadWithChangedUplinkSettingsReconnectsAndKeepsSending) {
    start_daemon();
    ASSERT_TRUE(wait_point("counter", [](const auto&) { return true; }));
    std::string text = *read_file(config_path());
    text.replace(text.find("status_interval: 1s"), 19, "status_interval: 2s");
    std::ofstream(config_path()) << text;
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_log("uplink settings or credentials changed; reconnecting", 10s));
    ASSERT_TRUE(wait_log("configuration reloaded", 10s));
    peer_->must("set hr 20 555");
    ASSERT_TRUE(wait_point(
        "counter", [](const auto& p) { return p.at("value") == 555; }, 15s));
    // A stop right after still ends cleanly.
    daemon_->signal(SIGTERM);
    auto status = daemon_->wait_exit(10s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
}

TEST_F(DaemonTest, MissingPluginDisablesOnlyItsDevices) {
    // No driver plugin "knx" exists (modbus.so and bacnet.so are built).
    write_devices(default_devices() + "  - name: knx-1\n    driver: knx\n");
    start_daemon();
    ASSERT_TRUE(wait_point("counter", [](const auto&) { return true; }))
        << "the modbus device must keep running";
    EXPECT_TRUE(wait_log("knx.so", 5s));
    EXPECT_TRUE(daemon_->running());
}

TEST_F(DaemonTest, CheckConfigReportsEveryErrorWithFileLineColumn) {
    write_main_config("bogus_key: 1\n");
    write_devices(default_devices() +
                  "      - {name: broken, table: holding_registr, address: 5, type: uint16}\n");
    const auto check = check_config();
    EXPECT_EQ(check.code, 78);
    const std::string& err = check.err;
    EXPECT_NE(err.find(config_path().string() + ":24:1: bogus_key: unknown key \"bogus_key\""),
              std::string::npos)
        << err;
    // The device error is found by the plugin, with its own position in the fragment.
    EXPECT_NE(err.find((etc() / "devices.d" / "meter.yaml").string() +
                       ":14:31: devices[0].points[5].table: \"holding_registr\" is not one of"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("devices[0].points[5].table"), std::string::npos) << err;
}

TEST_F(DaemonTest, CheckConfigAcceptsAValidConfigAndRefusesAMissingPlugin) {
    const auto ok = check_config();
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.err, "") << "a provisioned, valid config has nothing to warn about";
    write_devices(default_devices() + "  - name: knx-1\n    driver: knx\n");
    const auto missing = check_config();
    EXPECT_EQ(missing.code, 78);
    EXPECT_NE(missing.err.find("knx.so"), std::string::npos) << missing.err;
}

TEST_F(DaemonTest, ShippedDeviceExampleValidatesAgainstTheModbusPlugin) {
    fs::remove(etc() / "devices.d" / "meter.yaml");
    fs::copy_file(fs::path(LINTEL_SOURCE_DIR) / "etc/lintel/devices.d/modbus-meter.yaml.example",
                  etc() / "devices.d" / "main-meter.yaml");
    const auto check = check_config();
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_NE(check.out.find("configuration is valid (1 devices)"), std::string::npos) << check.out;
}

TEST_F(DaemonTest, ShippedRtuExampleValidatesAndDisagreeingSerialSettingsAreRefused) {
    fs::remove(etc() / "devices.d" / "meter.yaml");
    const fs::path example =
        fs::path(LINTEL_SOURCE_DIR) / "etc/lintel/devices.d/modbus-rtu.yaml.example";
    fs::copy_file(example, etc() / "devices.d" / "rs485.yaml");
    const auto check = check_config();
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_NE(check.out.find("configuration is valid (4 devices)"), std::string::npos) << check.out;

    // The second meter on the same port at another baud rate: refused, naming the first.
    auto text = lintel::test::read_file(example);
    ASSERT_TRUE(text) << text.error().message;
    const std::size_t second = text->find("baud: 9600", text->find("baud: 9600") + 1);
    ASSERT_NE(second, std::string::npos);
    text->replace(second, 10, "baud: 19200");
    ASSERT_TRUE(lintel::test::write_file(etc() / "devices.d" / "rs485.yaml", *text));
    const auto refused = check_config();
    EXPECT_NE(refused.code, 0);
    EXPECT_NE((refused.out + refused.err).find("differ from 9600 8N1 of device \"meter-floor-1\""),
              std::string::npos)
        << refused.out << refused.err;
}

TEST_F(DaemonTest, ShippedBacnetExampleValidatesAgainstTheBacnetPlugin) {
    fs::remove(etc() / "devices.d" / "meter.yaml");
    fs::copy_file(fs::path(LINTEL_SOURCE_DIR) / "etc/lintel/devices.d/bacnet-ahu.yaml.example",
                  etc() / "devices.d" / "ahu-1.yaml");
    const auto check = check_config();
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_NE(check.out.find("configuration is valid (1 devices)"), std::string::npos) << check.out;
}

TEST_F(DaemonTest, VersionIsPrinted) {
    auto p = Process::spawn(ProcessOptions::of({linteld_path().string(), "--version"})
                                .with_stdout(Output::to_file(dir_->path() / "version.out")));
    ASSERT_TRUE(p);
    auto status = p->wait_exit(10s);
    ASSERT_TRUE(status && status->exited && status->code == 0);
    const std::string out = *read_file(dir_->path() / "version.out");
    EXPECT_TRUE(out.starts_with("linteld ") && out.size() > 9 && out.back() == '\n') << out;
}

}  // namespace
}  // namespace lintel::test
