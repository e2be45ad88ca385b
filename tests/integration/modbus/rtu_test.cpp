// Integration tests of Modbus RTU and shared buses: devices on a socat pty pair talking to a
// pymodbus RTU server (tests/support/modbus_peer.py --serial), and devices sharing one TCP
// connection to a bridge. Includes the poll-rate measurements quoted in docs/modbus.md.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "driver_fixture.hpp"
#include "support/process.hpp"

namespace lintel::modbus::test {
namespace {

using namespace std::chrono_literals;
using sdk::Health;
using sdk::Quality;
using sdk::Value;

// Two linked ptys from socat: what is written to one is read from the other.
class PtyPair {
public:
    static std::unique_ptr<PtyPair> start() {
        auto pair = std::unique_ptr<PtyPair>(new PtyPair());
        auto socat = lintel::test::Process::spawn(
            lintel::test::ProcessOptions::of({"socat", "-d", "-d",
                                              "pty,raw,echo=0,link=" + pair->a().string(),
                                              "pty,raw,echo=0,link=" + pair->b().string()})
                .with_stderr(lintel::test::Output::null()));
        EXPECT_TRUE(socat) << (socat ? "" : socat.error().message);
        if (!socat) return nullptr;
        pair->socat_.emplace(std::move(*socat));
        const bool linked = lintel::test::wait_until(
            [&] {
                return std::filesystem::exists(pair->a()) && std::filesystem::exists(pair->b());
            },
            5s);
        EXPECT_TRUE(linked) << "socat did not create " << pair->a() << " and " << pair->b();
        return linked ? std::move(pair) : nullptr;
    }
    std::filesystem::path a() const { return dir_ / "a"; }  // lintel's side
    std::filesystem::path b() const { return dir_ / "b"; }  // the peer's side

private:
    PtyPair() = default;
    lintel::test::TempDir dir_{"lintel-rtu"};
    std::optional<lintel::test::Process> socat_;
};

std::string serial_yaml(const std::filesystem::path& port, unsigned baud, int unit,
                        const std::string& settings, const std::string& points) {
    return "serial:\n  port: " + port.string() + "\n  baud: " + std::to_string(baud) +
           "\nunit_id: " + std::to_string(unit) + "\n" + settings + "points:\n" + points;
}

// Three blocks with max_gap 0: three requests per cycle.
const std::string kThreeBlocks = point("a", "holding_register", 0) +
                                 point("b", "holding_register", 10) +
                                 point("c", "input_register", 0);

class ModbusRtuTest : public DriverFixture {};

TEST_F(ModbusRtuTest, ReadsAndWritesOverASerialLine) {
    auto pty = PtyPair::start();
    ASSERT_TRUE(pty);
    auto peer = start_peer(PeerOptions::rtu(pty->b().string(), 19200, "1"));
    ASSERT_TRUE(peer);
    peer->must("set hr 0 1234");
    peer->must("setf32 hr 2 230.5");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host,
        serial_yaml(pty->a(), 19200, 1, "poll_interval: 100ms\n",
                    point("count", "holding_register", 0) +
                        point("voltage", "holding_register", 2, "    type: float32\n") +
                        point("setpoint", "holding_register", 10, "    writable: true\n")),
        "meter");
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.has_good("count") && host.has_good("voltage"); }));
    EXPECT_EQ(host.latest("count")->value, Value(std::int64_t{1234}));
    EXPECT_EQ(host.latest("voltage")->value, Value(230.5));
    ASSERT_TRUE(run_until([&] { return host.health() == Health::ok; }));

    std::optional<Expected<void>> result;
    device->write("setpoint", Value(std::int64_t{321}), [&](Expected<void> r) { result = r; });
    ASSERT_TRUE(run_until([&] { return result.has_value(); }));
    ASSERT_TRUE(*result) << result->error().message;
    EXPECT_EQ(peer->must("get hr 10"), "321");
    ASSERT_TRUE(run_until([&] {
        auto v = host.latest("setpoint");
        return v && v->value == Value(std::int64_t{321});
    }));
    stop_and_drain({device.get()});
}

TEST_F(ModbusRtuTest, TwoLiveSlavesKeepPollingBesideADeadOne) {
    auto pty = PtyPair::start();
    ASSERT_TRUE(pty);
    auto peer = start_peer(PeerOptions::rtu(pty->b().string(), 115200, "1,2"));
    ASSERT_TRUE(peer);
    const std::string settings =
        "poll_interval: 200ms\ntimeout: 150ms\nretries: 1\nbackoff_max: 400ms\n";
    FakeHost host1(io_, "meter-1");
    FakeHost host2(io_, "meter-2");
    FakeHost host3(io_, "meter-3");
    auto one =
        make_device(host1, serial_yaml(pty->a(), 115200, 1, settings, kThreeBlocks), "meter-1");
    auto two =
        make_device(host2, serial_yaml(pty->a(), 115200, 2, settings, kThreeBlocks), "meter-2");
    auto dead =
        make_device(host3, serial_yaml(pty->a(), 115200, 3, settings, kThreeBlocks), "meter-3");
    ASSERT_TRUE(one && two && dead);
    one->start();
    two->start();
    dead->start();
    ASSERT_TRUE(run_until([&] {
        return host1.has_good("a") && host2.has_good("a") && host3.health() == Health::down;
    }));
    const std::size_t start1 = host1.count("c", Quality::good);
    const std::size_t start2 = host2.count("c", Quality::good);
    const auto started = std::chrono::steady_clock::now();
    lintel::test::run_for(io_, 3s);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::size_t cycles1 = host1.count("c", Quality::good) - start1;
    const std::size_t cycles2 = host2.count("c", Quality::good) - start2;
    std::cout << "[ figures ] live slaves beside a dead one: "
              << static_cast<double>(cycles1) / seconds << " and "
              << static_cast<double>(cycles2) / seconds
              << " cycles/s (poll_interval 200ms = 5/s)\n";
    // 3 s at 5 cycles/s = 15; the dead unit costs at most one 150 ms timeout per probe.
    EXPECT_GE(cycles1, 11U);
    EXPECT_GE(cycles2, 11U);
    EXPECT_EQ(host1.reports_of(Health::down), 0U);
    EXPECT_EQ(host2.reports_of(Health::down), 0U);
    EXPECT_EQ(host1.health(), Health::ok);
    // The dead unit went down once and stays down; its points are errors, published once.
    EXPECT_EQ(host3.health(), Health::down);
    EXPECT_EQ(host3.reports_of(Health::down), 1U);
    EXPECT_EQ(host3.count("a", Quality::good), 0U);
    EXPECT_EQ(host3.count("a", Quality::error), 1U);
    stop_and_drain({one.get(), two.get(), dead.get()});
}

TEST_F(ModbusRtuTest, BadCrcIsAMalformedAnswerForThosePointsOnly) {
    auto pty = PtyPair::start();
    ASSERT_TRUE(pty);
    auto peer = start_peer(PeerOptions::rtu(pty->b().string(), 38400, "1"));
    ASSERT_TRUE(peer);
    peer->must("set hr 10 77");
    peer->must("fault hr 0 badcrc");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, serial_yaml(pty->a(), 38400, 1, "poll_interval: 100ms\n", kThreeBlocks), "meter");
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] {
        return host.has_good("b") && host.latest_is("a", Quality::error) &&
               host.health() == Health::degraded && host.count("a", Quality::error) >= 3;
    }));
    EXPECT_EQ(host.latest("b")->value, Value(std::int64_t{77}));
    EXPECT_EQ(host.reports_of(Health::down), 0U);
    EXPECT_NE(host.health_reports.back().detail.find("checksum"), std::string::npos)
        << host.health_reports.back().detail;
    // One CRC warning and one warning for the block, not one per poll.
    EXPECT_EQ(host.logs().count("failed its CRC check"), 1U);
    EXPECT_EQ(host.logs().count("read of holding_register 0 from"), 1U);

    peer->must("fault hr 0 none");
    ASSERT_TRUE(run_until([&] { return host.has_good("a") && host.health() == Health::ok; }));
    stop_and_drain({device.get()});
}

TEST_F(ModbusRtuTest, BroadcastWriteGetsNoAnswerAndLandsInEverySlave) {
    auto pty = PtyPair::start();
    ASSERT_TRUE(pty);
    auto peer = start_peer(PeerOptions::rtu(pty->b().string(), 19200, "1,2"));
    ASSERT_TRUE(peer);
    FakeHost host(io_, "all-meters");
    auto device =
        make_device(host,
                    serial_yaml(pty->a(), 19200, 0, "timeout: 2s\n",
                                point("tariff", "holding_register", 30, "    writable: true\n")),
                    "all-meters");
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.health() == Health::ok; }));
    EXPECT_TRUE(host.published.empty());  // a broadcast unit is never polled

    std::optional<Expected<void>> result;
    const auto sent = std::chrono::steady_clock::now();
    device->write("tariff", Value(std::int64_t{2}), [&](Expected<void> r) { result = r; });
    ASSERT_TRUE(run_until([&] { return result.has_value(); }));
    ASSERT_TRUE(*result) << result->error().message;
    // Done when sent, not after the 2 s timeout waiting for an answer that never comes.
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s);
    EXPECT_TRUE(lintel::test::wait_until([&] { return peer->must("get hr 30") == "2"; }, 5s));
    stop_and_drain(*device);
}

TEST_F(ModbusRtuTest, DevicesOnOnePortMustAgreeOnLineSettings) {
    FakeHost host(io_, "x");
    sdk::ConfigErrors errors;
    auto first = driver_.create(
        sdk::DeviceSpec{"meter-1",
                        Outline::parse(serial_yaml("/dev/ttyS9", 9600, 1, "", kThreeBlocks))},
        host, errors);
    ASSERT_TRUE(first) << errors.to_string();
    auto second = driver_.create(
        sdk::DeviceSpec{"meter-2",
                        Outline::parse(serial_yaml("/dev/ttyS9", 19200, 2, "", kThreeBlocks))},
        host, errors);
    EXPECT_FALSE(second);
    ASSERT_EQ(errors.size(), 1U);
    const std::string text = errors.to_string();
    EXPECT_NE(text.find("devices[0].serial"), std::string::npos) << text;
    EXPECT_NE(text.find("19200 8N1 differ from 9600 8N1 of device \"meter-1\""), std::string::npos)
        << text;
}

TEST_F(ModbusRtuTest, BridgeSharesOneConnectionAndADeadUnitLeavesItUp) {
    auto peer = start_peer(PeerOptions::bridge("1"));
    ASSERT_TRUE(peer);
    peer->must("set hr 0 42");
    const std::string yaml_head = "host: 127.0.0.1\nport: " + std::to_string(peer->port()) +
                                  "\npoll_interval: 100ms\ntimeout: 150ms\nbackoff_max: 300ms\n";
    FakeHost live_host(io_, "behind-1");
    FakeHost dead_host(io_, "behind-2");
    auto live =
        make_device(live_host, yaml_head + "unit_id: 1\npoints:\n" + kThreeBlocks, "behind-1");
    auto dead =
        make_device(dead_host, yaml_head + "unit_id: 2\npoints:\n" + kThreeBlocks, "behind-2");
    ASSERT_TRUE(live && dead);
    live->start();
    dead->start();
    ASSERT_TRUE(
        run_until([&] { return live_host.has_good("a") && dead_host.health() == Health::down; }));
    EXPECT_EQ(live_host.latest("a")->value, Value(std::int64_t{42}));
    const std::size_t before = live_host.count("c", Quality::good);
    lintel::test::run_for(io_, 2s);
    EXPECT_GE(live_host.count("c", Quality::good) - before, 8U);  // 100 ms polls, minus probes
    EXPECT_EQ(live_host.reports_of(Health::down), 0U);
    EXPECT_EQ(dead_host.reports_of(Health::down), 1U);
    EXPECT_EQ(peer->must("connections"), "1");  // one TCP connection for both units
    stop_and_drain({live.get(), dead.get()});
}

// Eight float32 points 10 registers apart: eight requests per cycle.
std::string eight_blocks() {
    std::string points;
    for (int i = 0; i < 8; ++i) {
        points += point("p" + std::to_string(i), "holding_register", i * 10, "    type: float32\n");
    }
    return points;
}

// Not a pass/fail test of speed: prints requests per second of one slave per baud rate (the pty
// itself is not throttled, so this measures lintel's inter-frame silence plus the peer), and
// what a dead slave on the same bus costs the live one.
TEST_F(ModbusRtuTest, MeasurePollRatePerBaudRateAndDeadSlaveCost) {
    const auto measure = [&](FakeHost& host, std::chrono::milliseconds duration) {
        const std::size_t before = host.count("p7", Quality::good);
        const auto started = std::chrono::steady_clock::now();
        lintel::test::run_for(io_, duration);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return static_cast<double>(host.count("p7", Quality::good) - before) / seconds;
    };
    for (unsigned baud : {9600U, 19200U, 115200U}) {
        auto pty = PtyPair::start();
        ASSERT_TRUE(pty);
        auto peer = start_peer(PeerOptions::rtu(pty->b().string(), baud, "1"));
        ASSERT_TRUE(peer);
        FakeHost host(io_, "meter");
        auto device = make_device(
            host, serial_yaml(pty->a(), baud, 1, "poll_interval: 10ms\n", eight_blocks()), "meter");
        ASSERT_TRUE(device);
        device->start();
        ASSERT_TRUE(run_until([&] { return host.has_good("p7"); }));
        const double cycles = measure(host, 2s);
        std::cout << "[ figures ] " << baud << " baud: " << cycles * 8
                  << " requests/s (8 per cycle) of one slave\n";
        EXPECT_GT(cycles, 2.0);
        stop_and_drain({device.get()});
    }

    // The same slave at 115200 beside a dead one (timeout 100ms, retries 1, backoff_max 1s).
    auto pty = PtyPair::start();
    ASSERT_TRUE(pty);
    auto peer = start_peer(PeerOptions::rtu(pty->b().string(), 115200, "1"));
    ASSERT_TRUE(peer);
    const std::string settings = "poll_interval: 10ms\ntimeout: 100ms\nbackoff_max: 1s\n";
    FakeHost live_host(io_, "live");
    FakeHost dead_host(io_, "dead");
    auto live =
        make_device(live_host, serial_yaml(pty->a(), 115200, 1, settings, eight_blocks()), "live");
    auto dead =
        make_device(dead_host, serial_yaml(pty->a(), 115200, 3, settings, eight_blocks()), "dead");
    ASSERT_TRUE(live && dead);
    live->start();
    ASSERT_TRUE(run_until([&] { return live_host.has_good("p7"); }));
    const double alone = measure(live_host, 3s);
    dead->start();
    ASSERT_TRUE(run_until([&] { return dead_host.health() == Health::down; }));
    lintel::test::run_for(io_, 4s);  // let its backoff reach backoff_max (1s, 2s, ...)
    const double beside = measure(live_host, 5s);
    std::cout << "[ figures ] live slave alone: " << alone
              << " cycles/s; beside a dead slave: " << beside
              << " cycles/s (one 100 ms probe per second)\n";
    EXPECT_GT(beside, alone * 0.5);
    stop_and_drain({live.get(), dead.get()});
}

}  // namespace
}  // namespace lintel::modbus::test
