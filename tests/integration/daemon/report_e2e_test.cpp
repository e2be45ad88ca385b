// Device templates and report by exception end to end: two devices built from one template in
// devices.d poll the pymodbus peer through the real linteld and mosquitto; a steady point is
// suppressed and counted in the status message, a changing one is reported, heartbeats resend.
// Also prints the message reduction for a meter with steady values (points/min with and without
// report:).
#include <cmath>
#include <cstdio>
#include <thread>

#include "daemon_fixture.hpp"

namespace lintel::test {
namespace {

class ReportE2ETest : public DaemonTest {
protected:
    // A meter model with five points; `report` (indented four spaces) goes into the template.
    void write_template(const std::string& report) {
        fs::remove(etc() / "devices.d" / "meter.yaml");
        std::ofstream(etc() / "devices.d" / "models.yaml")
            << "templates:\n"
               "  - name: test-meter\n"
               "    driver: modbus\n"
               "    host: 127.0.0.1\n"
               "    port: "
            << peer_->port()
            << "\n"
               "    poll_interval: 100ms\n"
               "    timeout: 500ms\n"
            << report
            << "    points:\n"
               "      - {name: setpoint, table: holding_register, address: 0, type: int16, "
               "scale: 0.1}\n"
               "      - {name: voltage, table: input_register, address: 0, type: float32}\n"
               "      - {name: energy, table: holding_register, address: 2, type: uint32}\n"
               "      - {name: relay, table: coil, address: 1, type: bool}\n"
               "      - {name: counter, table: holding_register, address: 20, type: uint16}\n";
    }

    void write_meters(const std::string& text) {
        std::ofstream(etc() / "devices.d" / "meters.yaml") << text;
    }

    std::vector<nlohmann::json> values_of(const std::string& device,
                                          const std::string& point) const {
        std::vector<nlohmann::json> out;
        for (const auto& r : received()) {
            if (r.point.at("device") == device && r.point.at("point") == point)
                out.push_back(r.point.at("value"));
        }
        return out;
    }

    std::size_t points_of(const std::string& device) const {
        std::set<std::pair<std::string, std::int64_t>> distinct;  // re-sent duplicates collapse
        for (const auto& r : received()) {
            if (r.point.at("device") == device)
                distinct.insert({r.point.at("point"), r.point.at("ts").get<std::int64_t>()});
        }
        return distinct.size();
    }

    struct Rates {
        double plain = 0;  // points/min of device "plain"
        double rbe = 0;    // points/min of device "rbe"
    };
    // Once both devices sent their first values: points per minute over a fixed window.
    Rates measure_rates(std::chrono::seconds window) const {
        EXPECT_TRUE(
            wait_until([&] { return points_of("plain") >= 5 && points_of("rbe") >= 5; }, 10s));
        const std::size_t plain0 = points_of("plain");
        const std::size_t rbe0 = points_of("rbe");
        const auto t0 = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(window);  // a measuring window, not a wait for readiness
        const double minutes =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 60.0;
        return {static_cast<double>(points_of("plain") - plain0) / minutes,
                static_cast<double>(points_of("rbe") - rbe0) / minutes};
    }

    std::optional<nlohmann::json> device_status(const std::string& name) const {
        auto s = latest_status();
        if (!s || !s->contains("devices")) return std::nullopt;
        for (const auto& d : s->at("devices")) {
            if (d.value("name", "") == name) return d;
        }
        return std::nullopt;
    }
};

TEST_F(ReportE2ETest, TwoDevicesFromOneTemplateSuppressSteadyValuesAndHeartbeat) {
    peer_->must("set hr 0 100");  // setpoint 10.0
    peer_->must("set hr 2 0 500");
    write_template("    report: {deadband: 0.5, heartbeat: 2s}\n");
    write_meters(
        "devices:\n"
        "  - {name: meter-a, template: test-meter}\n"
        "  - {name: meter-b, template: test-meter, points_remove: [counter],\n"
        "     report: {points: {setpoint: {deadband: 0}}}}\n");
    const auto check = check_config();
    ASSERT_EQ(check.code, 0) << check.err << check.out;
    start_daemon();

    ASSERT_TRUE(wait_until(
        [&] {
            return !sample_times("energy", "meter-a").empty() &&
                   !sample_times("energy", "meter-b").empty();
        },
        10s));
    EXPECT_TRUE(sample_times("counter", "meter-b").empty()) << "points_remove: counter is gone";

    // Within the deadband for meter-a; meter-b's setpoint has its own band of 0 (any change).
    peer_->must("set hr 0 102");  // 10.2
    const auto near = [](const nlohmann::json& v, double x) {
        return v.is_number() && std::abs(v.get<double>() - x) < 1e-9;
    };
    ASSERT_TRUE(wait_until(
        [&] {
            auto v = values_of("meter-b", "setpoint");
            return !v.empty() && near(v.back(), 10.2);
        },
        10s));
    peer_->must("set hr 0 110");  // 11.0: more than 0.5 from the last reported 10.0
    ASSERT_TRUE(wait_until(
        [&] {
            auto v = values_of("meter-a", "setpoint");
            return !v.empty() && near(v.back(), 11.0);
        },
        10s));
    for (const auto& v : values_of("meter-a", "setpoint"))
        EXPECT_FALSE(near(v, 10.2)) << "within 0.5 of 10.0";

    // The steady energy value is re-sent by the heartbeat only (2 s), not every 100 ms poll.
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until([&] { return sample_times("energy", "meter-a").size() >= 3; }, 10s));
    const auto took = std::chrono::steady_clock::now() - t0;
    const auto energy = sample_times("energy", "meter-a");
    EXPECT_GE(took, 2s) << "two heartbeats need at least 2 s after the first value";
    for (std::size_t i = 1; i < energy.size(); ++i)
        EXPECT_GE(energy[i] - energy[i - 1], 1900) << "resent before the heartbeat was due";

    // Suppressed reports are counted per device and in total in the status message.
    ASSERT_TRUE(wait_until(
        [&] {
            auto a = device_status("meter-a");
            auto b = device_status("meter-b");
            return a && b && a->value("points_suppressed", 0) > 20 &&
                   b->value("points_suppressed", 0) > 20;
        },
        10s))
        << (latest_status() ? latest_status()->dump() : "no status");
    const auto s = *latest_status();
    std::uint64_t sum = 0;
    for (const auto& d : s.at("devices")) sum += d.at("points_suppressed").get<std::uint64_t>();
    EXPECT_EQ(s.at("points_suppressed").get<std::uint64_t>(), sum);
}

TEST_F(ReportE2ETest, MessageReductionForASteadyMeter) {
    // One template, two devices polling the same steady meter: one reports by exception.
    write_template("");
    write_meters(
        "devices:\n"
        "  - {name: plain, template: test-meter}\n"
        "  - {name: rbe, template: test-meter, report: {deadband: 0.5, heartbeat: 15m}}\n");
    start_daemon();
    const auto [plain, rbe] = measure_rates(5s);
    std::printf(
        "[ FIGURES  ] 5-point meter, poll 100ms, steady values: %.0f points/min without "
        "report:, %.0f points/min with report: {deadband: 0.5, heartbeat: 15m}\n",
        plain, rbe);
    EXPECT_GT(plain, 1000.0);
    EXPECT_EQ(rbe, 0.0);
}

TEST_F(ReportE2ETest, MessageReductionForAMovingMeter) {
    // The peer's meter mode: voltage, current, power as slow sine waves, energy counting up,
    // refreshed every second; polled every 100 ms by two devices from one template.
    auto meter = modbus::test::ModbusPeer::start(modbus::test::PeerOptions::tcp(0, 1, true));
    ASSERT_TRUE(meter) << meter.error().message;
    fs::remove(etc() / "devices.d" / "meter.yaml");
    std::ofstream(etc() / "devices.d" / "models.yaml")
        << "templates:\n"
           "  - name: em\n"
           "    driver: modbus\n"
           "    host: 127.0.0.1\n"
           "    port: "
        << (*meter)->port()
        << "\n"
           "    poll_interval: 100ms\n"
           "    points:\n"
           "      - {name: voltage, table: input_register, address: 0, type: float32}\n"
           "      - {name: current, table: input_register, address: 2, type: float32}\n"
           "      - {name: energy, table: input_register, address: 4, type: uint32, scale: 0.01}\n"
           "      - {name: power, table: input_register, address: 6, type: float32}\n"
           "      - {name: frequency, table: holding_register, address: 2, type: uint16}\n";
    write_meters(
        "devices:\n"
        "  - {name: plain, template: em}\n"
        "  - name: rbe\n"
        "    template: em\n"
        "    report: {deadband: 0.5, heartbeat: 15m,\n"
        "             points: {current: {deadband: 0.1}, power: {deadband_percent: 2},\n"
        "                      energy: {deadband: 0.1}, frequency: {deadband: 2}}}\n");
    start_daemon();
    const auto [plain, rbe] = measure_rates(10s);
    std::printf(
        "[ FIGURES  ] 5-point meter, poll 100ms, values moving every 1s: %.0f points/min "
        "without report:, %.0f points/min with deadbands\n",
        plain, rbe);
    EXPECT_GT(plain, 1000.0);
    EXPECT_GT(rbe, 0.0) << "moving values must still be reported";
    EXPECT_LT(rbe, plain / 5);
}

TEST_F(ReportE2ETest, ReloadMergesAChangedTemplateIntoItsDevices) {
    write_template("");
    write_meters("devices:\n  - {name: m-1, template: test-meter}\n");
    start_daemon();
    ASSERT_TRUE(wait_until([&] { return points_of("m-1") >= 10; }, 10s));
    auto m1 = device_status("m-1");
    ASSERT_TRUE(wait_until([&] { return (m1 = device_status("m-1")).has_value(); }, 10s));
    EXPECT_EQ(m1->value("points_suppressed", -1), 0);

    // The template gains report: and SIGHUP reloads: the device now suppresses steady values.
    write_template("    report: {heartbeat: 1h}\n");
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            auto d = device_status("m-1");
            return d && d->value("points_suppressed", 0) > 10;
        },
        10s))
        << (latest_status() ? latest_status()->dump() : "no status");
}

TEST_F(ReportE2ETest, ShippedTemplateExampleValidatesAndATemplateErrorNamesBothPlaces) {
    fs::remove(etc() / "devices.d" / "meter.yaml");
    fs::copy_file(fs::path(LINTEL_SOURCE_DIR) / "etc/lintel/devices.d/meter-template.yaml.example",
                  etc() / "devices.d" / "meters.yaml");
    const auto check = check_config();
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_NE(check.out.find("configuration is valid (2 devices)"), std::string::npos) << check.out;

    // A mistake in the template, found by the modbus plugin, is reported at the template's line
    // for every device that uses it.
    write_template("");
    write_meters(
        "devices:\n  - {name: m-1, template: test-meter}\n"
        "  - {name: m-2, template: test-meter, timeout: 0s}\n");
    {
        std::ifstream in(etc() / "devices.d" / "models.yaml");
        std::string text((std::istreambuf_iterator<char>(in)), {});
        text.replace(text.find("type: uint16"), 12, "type: uint61");
        std::ofstream(etc() / "devices.d" / "models.yaml") << text;
    }
    const auto bad = check_config();
    EXPECT_EQ(bad.code, 78);
    const std::string models = (etc() / "devices.d" / "models.yaml").string();
    for (const std::string device : {"m-1", "m-2"}) {
        EXPECT_NE(bad.err.find(models + ":13:"), std::string::npos) << bad.err;
        EXPECT_NE(bad.err.find("(template test-meter of device " + device + ").points[4].type"),
                  std::string::npos)
            << bad.err;
    }
    EXPECT_NE(bad.err.find("meters.yaml:3:"), std::string::npos)
        << "m-2's own timeout: " << bad.err;
}

}  // namespace
}  // namespace lintel::test
