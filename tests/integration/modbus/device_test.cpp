// Integration tests: the Modbus device against a real pymodbus server on a loopback port, with a
// fake host recording what it publishes. Every test runs the loop under deadlines and a watchdog.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "driver_fixture.hpp"

namespace lintel::modbus::test {
namespace {

using namespace std::chrono_literals;
using sdk::Health;
using sdk::Quality;
using sdk::Value;

std::string device_yaml(std::uint16_t port, const std::string& settings,
                        const std::string& points) {
    return "host: 127.0.0.1\nport: " + std::to_string(port) + "\n" + settings + "points:\n" +
           points;
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    std::sort(out.begin(), out.end());
    return out;
}

class ModbusDeviceTest : public DriverFixture {};

const std::string kTypedPoints =
    point("count", "holding_register", 0) +                       //
    point("delta", "holding_register", 1, "    type: int16\n") +  //
    point("voltage", "holding_register", 2, "    type: float32\n    unit: V\n") +
    point("temp", "holding_register", 4, "    type: int16\n    scale: 0.1\n    unit: degC\n") +
    point("flag", "holding_register", 6, "    type: bool\n") +  //
    point("relay", "coil", 3) +                                 //
    point("door", "discrete_input", 5) +                        //
    point("model", "input_register", 10, "    type: string\n    length: 3\n") +
    point("energy", "input_register", 20, "    type: uint32\n    word_order: little\n");

void load_typed_values(ModbusPeer& peer) {
    peer.must("set hr 0 1234");
    peer.must("set hr 1 65534");
    peer.must("setf32 hr 2 230.5");
    peer.must("set hr 4 215");
    peer.must("set hr 6 7");
    peer.must("set co 3 1");
    peer.must("set di 5 1");
    peer.must("set ir 10 0x4142 0x4344 0");
    peer.must("set ir 20 0x5678 0x1234");
}

void expect_typed_values(const FakeHost& host) {
    EXPECT_EQ(host.latest("count")->value, Value(std::int64_t{1234}));
    EXPECT_EQ(host.latest("delta")->value, Value(std::int64_t{-2}));
    EXPECT_EQ(host.latest("voltage")->value, Value(230.5));
    EXPECT_EQ(host.latest("voltage")->unit, "V");
    ASSERT_TRUE(std::holds_alternative<double>(host.latest("temp")->value));
    EXPECT_DOUBLE_EQ(std::get<double>(host.latest("temp")->value), 21.5);
    EXPECT_EQ(host.latest("temp")->unit, "degC");
    EXPECT_EQ(host.latest("flag")->value, Value(true));
    EXPECT_EQ(host.latest("relay")->value, Value(true));
    EXPECT_EQ(host.latest("door")->value, Value(true));
    EXPECT_EQ(host.latest("model")->value, Value(std::string("ABCD")));
    EXPECT_EQ(host.latest("energy")->value, Value(std::int64_t{0x12345678}));
}

bool all_good(const FakeHost& host) {
    for (const char* p :
         {"count", "delta", "voltage", "temp", "flag", "relay", "door", "model", "energy"}) {
        if (!host.has_good(p)) return false;
    }
    return true;
}

TEST_F(ModbusDeviceTest, ReadsEveryTypeWithScalingAndStampsReadTime) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    load_typed_values(*peer);
    FakeHost host(io_, "meter");
    auto device =
        make_device(host, device_yaml(peer->port(), "poll_interval: 100ms\n", kTypedPoints));
    ASSERT_TRUE(device);
    const std::int64_t before = sdk::now_unix_ms();
    device->start();
    ASSERT_TRUE(run_until([&] { return all_good(host); }));
    expect_typed_values(host);
    EXPECT_EQ(host.latest("count")->device, "meter");
    EXPECT_GE(host.latest("count")->ts_ms, before);
    EXPECT_LE(host.latest("count")->ts_ms, sdk::now_unix_ms());
    ASSERT_TRUE(run_until([&] { return host.health().has_value(); }));
    EXPECT_EQ(host.health(), Health::ok);

    // Values follow the peer.
    peer->must("set hr 0 4321");
    ASSERT_TRUE(
        run_until([&] { return host.latest("count")->value == Value(std::int64_t{4321}); }));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, PollsWithCoalescedRequests) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    load_typed_values(*peer);
    peer->must("clear");
    FakeHost host(io_, "meter");
    auto device = make_device(host, device_yaml(peer->port(), "poll_interval: 1h\n", kTypedPoints));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return all_good(host); }));
    stop_and_drain(*device);
    // One cycle, one request per contiguous run: hr 0-4 merged, hr 5 unused so hr 6 apart, and
    // ir 10-12 and 20-21 apart (max_gap 0).
    EXPECT_EQ(words(peer->must("requests")),
              (std::vector<std::string>{"1:3:1", "2:5:1", "3:0:5", "3:6:1", "4:10:3", "4:20:2"}));
}

TEST_F(ModbusDeviceTest, MaxGapMergesAcrossTheGap) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    load_typed_values(*peer);
    peer->must("clear");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(peer->port(), "poll_interval: 1h\nmax_gap: 7\n", kTypedPoints));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return all_good(host); }));
    stop_and_drain(*device);
    expect_typed_values(host);
    EXPECT_EQ(words(peer->must("requests")),
              (std::vector<std::string>{"1:3:1", "2:5:1", "3:0:7", "4:10:12"}));
}

TEST_F(ModbusDeviceTest, PipelinedRequestsAreMatchedByTransactionId) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    load_typed_values(*peer);
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(peer->port(), "poll_interval: 50ms\nmax_concurrent_requests: 4\n",
                          kTypedPoints));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return all_good(host) && host.publish_calls >= 5; }));
    expect_typed_values(host);
    EXPECT_EQ(host.health(), Health::ok);
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, RequestDelaySpacesRequests) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(peer->port(), "poll_interval: 1h\nrequest_delay: 150ms\n",
                          point("a", "holding_register", 0) + point("b", "holding_register", 10) +
                              point("c", "holding_register", 20)));
    ASSERT_TRUE(device);
    const auto start = std::chrono::steady_clock::now();
    device->start();
    ASSERT_TRUE(run_until([&] { return host.publish_calls >= 1; }));
    // Three requests, two pauses between them.
    EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
    EXPECT_TRUE(host.has_good("a") && host.has_good("b") && host.has_good("c"));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, WritesLandInThePeer) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    FakeHost host(io_, "meter");
    const std::string points =
        point("setpoint", "holding_register", 20, "    writable: true\n") +
        point("gain", "holding_register", 22, "    type: float32\n    writable: true\n") +
        point("relay", "coil", 7, "    writable: true\n") +
        point("limit", "holding_register", 30,
              "    type: int16\n    scale: 0.1\n    writable: true\n    min: 5\n    max: 30\n") +
        point("readonly", "holding_register", 40);
    auto device = make_device(host, device_yaml(peer->port(), "poll_interval: 100ms\n", points));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_EQ(host.writable.size(), 4U);
    EXPECT_EQ(host.writable[0].kind, sdk::ValueKind::integer);
    EXPECT_EQ(host.writable[1].kind, sdk::ValueKind::real);
    EXPECT_EQ(host.writable[2].kind, sdk::ValueKind::boolean);
    EXPECT_EQ(host.writable[3].min, 5.0);
    EXPECT_EQ(host.writable[3].max, 30.0);
    ASSERT_TRUE(run_until([&] { return host.has_good("setpoint"); }));

    auto write = [&](const std::string& name, Value v) {
        std::optional<Expected<void>> result;
        device->write(name, v, [&](Expected<void> r) { result = std::move(r); });
        EXPECT_FALSE(result) << "done must not run inside write()";
        EXPECT_TRUE(run_until([&] { return result.has_value(); }));
        return result.value_or(make_error("test.hang", "no result"));
    };
    EXPECT_TRUE(write("setpoint", Value(std::int64_t{4321})));  // FC 6
    EXPECT_EQ(peer->must("get hr 20"), "4321");
    EXPECT_TRUE(write("gain", Value(1.5)));  // FC 16: 0x3FC00000
    EXPECT_EQ(peer->must("get hr 22 2"), "16320 0");
    EXPECT_TRUE(write("relay", Value(true)));  // FC 5
    EXPECT_EQ(peer->must("get co 7"), "1");
    EXPECT_TRUE(write("limit", Value(21.5)));
    EXPECT_EQ(peer->must("get hr 30"), "215");

    auto refused = write("limit", Value(31.0));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "modbus.out_of_range");
    EXPECT_EQ(peer->must("get hr 30"), "215");
    EXPECT_EQ(write("readonly", Value(std::int64_t{1})).error().code, "modbus.not_writable");
    EXPECT_EQ(write("nope", Value(std::int64_t{1})).error().code, "modbus.unknown_point");
    EXPECT_EQ(write("relay", Value(2.5)).error().code, "modbus.type_mismatch");

    // The written value is read back by the next polls.
    ASSERT_TRUE(
        run_until([&] { return host.latest("setpoint")->value == Value(std::int64_t{4321}); }));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, ExceptionResponseMarksOnlyThosePoints) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    peer->must("set hr 0 11");
    peer->must("set hr 50 22");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(peer->port(), "poll_interval: 50ms\n",
                          point("a", "holding_register", 0) + point("b", "holding_register", 50)));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.has_good("b"); }));
    peer->must("fault hr 50 exception:2");
    const std::size_t calls = host.publish_calls;
    ASSERT_TRUE(run_until(
        [&] { return host.latest_is("b", Quality::error) && host.publish_calls > calls + 5; }));
    EXPECT_TRUE(host.has_good("a"));
    EXPECT_EQ(host.latest("b")->value, Value(std::int64_t{22}));  // last known value
    EXPECT_EQ(host.health(), Health::degraded);
    EXPECT_EQ(host.reports_of(Health::degraded), 1U);
    // Logged once, naming the address, although it failed on every poll since.
    EXPECT_EQ(host.logs().count("failed: device answered exception 2 (illegal data address)",
                                sdk::LogLevel::warning),
              1U);
    EXPECT_TRUE(host.logs().contains("ADDRESS=50"));

    peer->must("fault hr 50 none");
    ASSERT_TRUE(run_until([&] { return host.has_good("b") && host.health() == Health::ok; }));
    EXPECT_TRUE(host.logs().contains("works again", sdk::LogLevel::info));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, SilentAddressTimesOutWithRetries) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    peer->must("fault hr 50 silent");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(peer->port(), "poll_interval: 50ms\ntimeout: 150ms\nretries: 1\n",
                          point("a", "holding_register", 0) + point("b", "holding_register", 50)));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(
        run_until([&] { return host.latest_is("b", Quality::error) && host.has_good("a"); }));
    EXPECT_EQ(host.latest("b")->value, Value(std::int64_t{0}));  // never read: a zero of its kind
    EXPECT_TRUE(host.logs().contains("no response within 150ms (2 attempts)"));
    EXPECT_EQ(host.health(), Health::degraded);
    // Late answers must not be taken for other requests: the peer answers nothing here, but the
    // good point keeps getting good values while b keeps failing.
    const std::size_t good_before = host.count("a", Quality::good);
    ASSERT_TRUE(run_until([&] { return host.count("a", Quality::good) > good_before + 2; }));
    EXPECT_TRUE(host.latest_is("b", Quality::error));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, MalformedResponseIsAnErrorForThosePoints) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    peer->must("fault hr 50 garbage");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(peer->port(), "poll_interval: 50ms\n",
                          point("a", "holding_register", 0) + point("b", "holding_register", 50)));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(
        run_until([&] { return host.latest_is("b", Quality::error) && host.has_good("a"); }));
    EXPECT_TRUE(host.logs().contains("byte count 7 does not match the 1 registers requested"));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, DeadDeviceGoesDownOnceWhileAnotherKeepsProducing) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    FakeHost dead_host(io_, "dead");
    FakeHost live_host(io_, "live");
    const std::uint16_t closed_port = lintel::test::free_tcp_port();
    auto dead = make_device(dead_host, device_yaml(closed_port,
                                                   "poll_interval: 50ms\ntimeout: 200ms\n"
                                                   "backoff_max: 200ms\n",
                                                   point("x", "holding_register", 0)));
    auto live = make_device(live_host, device_yaml(peer->port(), "poll_interval: 50ms\n",
                                                   point("y", "holding_register", 0)));
    ASSERT_TRUE(dead && live);
    dead->start();
    live->start();
    lintel::test::run_for(io_, 1500ms);

    EXPECT_EQ(dead_host.health_reports.size(), 1U);  // on the change only, not per attempt
    EXPECT_EQ(dead_host.health(), Health::down);
    EXPECT_EQ(dead_host.count("x", Quality::error), 1U);
    EXPECT_EQ(dead_host.count("x", Quality::good), 0U);
    EXPECT_EQ(dead_host.logs().count("is down", sdk::LogLevel::warning), 1U);
    // Backoff keeps trying: 200ms apart here, so several attempts in 1.5 s.
    EXPECT_GE(dead_host.logs().count("connecting to"), 4U);
    EXPECT_LE(dead_host.logs().count("connecting to"), 10U);

    EXPECT_GE(live_host.count("y", Quality::good), 10U);
    EXPECT_EQ(live_host.health(), Health::ok);
    live->stop();
    stop_and_drain(*dead);
}

TEST_F(ModbusDeviceTest, RecoversWhenThePeerRestarts) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    const std::uint16_t port = peer->port();
    peer->must("set hr 0 1");
    FakeHost host(io_, "meter");
    auto device = make_device(
        host, device_yaml(port, "poll_interval: 50ms\ntimeout: 200ms\nbackoff_max: 200ms\n",
                          point("a", "holding_register", 0)));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.health() == Health::ok; }));

    peer->kill();
    ASSERT_TRUE(run_until([&] { return host.health() == Health::down; }));
    EXPECT_TRUE(host.latest_is("a", Quality::error));
    EXPECT_EQ(host.latest("a")->value, Value(std::int64_t{1}));

    peer = start_peer(PeerOptions::tcp(port, 1, false));
    ASSERT_TRUE(peer);
    peer->must("set hr 0 2");
    ASSERT_TRUE(run_until([&] {
        return host.health() == Health::ok && host.latest("a")->value == Value(std::int64_t{2}) &&
               host.latest_is("a", Quality::good);
    }));
    ASSERT_EQ(host.health_reports.size(), 3U);
    EXPECT_EQ(host.health_reports[0].health, Health::ok);
    EXPECT_EQ(host.health_reports[1].health, Health::down);
    EXPECT_EQ(host.health_reports[2].health, Health::ok);
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, StopEndsAllHostCallsAndFailsPendingWrites) {
    auto peer = start_peer();
    ASSERT_TRUE(peer);
    FakeHost host(io_, "meter");
    auto device =
        make_device(host, device_yaml(peer->port(), "poll_interval: 20ms\n",
                                      point("a", "holding_register", 0, "    writable: true\n")));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.publish_calls >= 3; }));
    std::optional<Expected<void>> result;
    device->write("a", Value(std::int64_t{5}), [&](Expected<void> r) { result = std::move(r); });
    device->stop();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, "modbus.stopped");
    const std::size_t published = host.published.size();
    const std::size_t reports = host.health_reports.size();
    const std::size_t logs = host.logs().lines().size();
    io_.restart();
    io_.run_for(2s);  // returns as soon as the device's work has unwound
    lintel::test::run_for(io_, 200ms);
    EXPECT_EQ(host.published.size(), published);
    EXPECT_EQ(host.health_reports.size(), reports);
    EXPECT_EQ(host.logs().lines().size(), logs);
}

TEST_F(ModbusDeviceTest, WriteWhileDisconnectedFailsPromptly) {
    FakeHost host(io_, "meter");
    auto device = make_device(host, device_yaml(lintel::test::free_tcp_port(), "timeout: 100ms\n",
                                                point("a", "coil", 0, "    writable: true\n")));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.health() == Health::down; }));
    std::optional<Expected<void>> result;
    device->write("a", Value(true), [&](Expected<void> r) { result = std::move(r); });
    ASSERT_TRUE(run_until([&] { return result.has_value(); }, 2s));
    EXPECT_EQ(result->error().code, "modbus.not_connected");
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, MeterSimulationChangesEverySecond) {
    auto peer = start_peer(PeerOptions::tcp(0, 1, true));
    ASSERT_TRUE(peer);
    FakeHost host(io_, "meter");
    auto device = make_device(
        host,
        device_yaml(peer->port(), "poll_interval: 200ms\n",
                    point("voltage", "input_register", 0, "    type: float32\n    unit: V\n") +
                        point("energy", "input_register", 4,
                              "    type: uint32\n    scale: 0.01\n    unit: kWh\n")));
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host.has_good("voltage") && host.has_good("energy"); }));
    const double volts = std::get<double>(host.latest("voltage")->value);
    EXPECT_GT(volts, 225.0);
    EXPECT_LT(volts, 235.0);
    const double first = std::get<double>(host.latest("energy")->value);  // kWh, scaled
    EXPECT_GT(first, 1234.0);  // the simulation starts at 1234.56 kWh
    ASSERT_TRUE(
        run_until([&] { return std::get<double>(host.latest("energy")->value) > first; }, 5s));
    stop_and_drain(*device);
}

TEST_F(ModbusDeviceTest, DriverRejectsInvalidConfigWithoutIo) {
    FakeHost host(io_, "meter");
    sdk::ConfigErrors errors;
    auto device =
        driver_.create(sdk::DeviceSpec{"meter", Outline::parse("port: 502\n")}, host, errors);
    EXPECT_FALSE(device);
    EXPECT_EQ(errors.to_string(),
              "devices.d/meter.yaml:1:1: devices[0].host: required key is missing\n"
              "devices.d/meter.yaml:1:1: devices[0].points: required key is missing\n");
    EXPECT_EQ(io_.poll(), 0U);  // nothing was scheduled
}

}  // namespace
}  // namespace lintel::modbus::test
