// Integration tests: the BACnet device reading a simulated device over real UDP
// (ReadPropertyMultiple, ReadProperty fallback, types, units, quality from status-flags, discovery
// by instance) and the requests a poll cycle costs.
#include "bacnet_fixture.hpp"

#include <fstream>

namespace lintel::bacnet::test {
namespace {

using sdk::Quality;
using sdk::Value;

const std::string kPoints =
    "  - {name: temp, object: AI:1}\n"
    "  - {name: pressure, object: AI:2}\n"
    "  - {name: door, object: BI:1}\n"
    "  - {name: mode, object: MSV:1}\n"
    "  - {name: valve, object: AO:1}\n"
    "  - {name: name, object: 'device:1234', property: object-name}\n"
    "  - {name: flags, object: AI:1, property: status-flags}\n";

bool all_good(const FakeHost& host) {
    for (const char* p : {"temp", "pressure", "door", "mode", "valve", "name", "flags"}) {
        if (!host.has_good(p)) return false;
    }
    return true;
}

void expect_default_values(const FakeHost& host) {
    EXPECT_EQ(host.latest("temp")->value, Value{21.0});
    EXPECT_EQ(host.latest("temp")->unit, "°C");
    EXPECT_DOUBLE_EQ(std::get<double>(host.latest("pressure")->value), 101.3f);
    EXPECT_EQ(host.latest("pressure")->unit, "kPa");
    EXPECT_EQ(host.latest("door")->value, Value{false});
    EXPECT_EQ(host.latest("door")->unit, "");
    EXPECT_EQ(host.latest("mode")->value, Value{std::int64_t{1}});
    EXPECT_EQ(host.latest("valve")->value, Value{0.0});
    EXPECT_EQ(host.latest("valve")->unit, "%");
    EXPECT_EQ(host.latest("name")->value, Value{std::string("lintel-sim-1234")});
    EXPECT_EQ(host.latest("flags")->value, Value{std::string("0000")});
}

TEST_F(BacnetPluginTest, ReadsEveryTypeWithReadPropertyMultiple) {
    SKIP_WITHOUT_SIMULATOR();
    auto sim = start_sim();
    ASSERT_TRUE(sim);
    FakeHost host(io_, "ahu");
    auto device = started(host, by_address(*sim, "cov: false\n", kPoints));
    ASSERT_TRUE(device);
    ASSERT_TRUE(run_until([&] { return all_good(host); })) << sim->must("stats");
    expect_default_values(host);
    ASSERT_TRUE(run_until([&] { return host.health() == sdk::Health::ok; }));
    EXPECT_GT(requests(*sim, "readPropertyMultiple"), 0);
    EXPECT_EQ(requests(*sim, "readProperty"), 0);

    // Values follow the device; out-of-service makes the quality stale.
    sim->must("set AI:1 23.5");
    sim->must("oos AI:2 on");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{23.5}); }));
    ASSERT_TRUE(run_until([&] { return host.latest_is("pressure", Quality::stale); }));
    sim->must("oos AI:2 off");
    ASSERT_TRUE(run_until([&] { return host.latest_is("pressure", Quality::good); }));
    stop_and_drain(*device);
}

TEST_F(BacnetPluginTest, FallsBackToReadPropertyWhenRpmIsRejected) {
    SKIP_WITHOUT_SIMULATOR();
    for (const char* refusal : {"reject", "error"}) {
        SCOPED_TRACE(refusal);
        BacnetDeviceOptions options;
        options.no_rpm = true;
        options.extra_args = {"--rpm-refusal", refusal};
        auto sim = start_sim(options);
        ASSERT_TRUE(sim);
        FakeHost host(io_, "ahu");
        auto device = started(host, by_address(*sim, "cov: false\n", kPoints));
        ASSERT_TRUE(device);
        ASSERT_TRUE(run_until([&] { return all_good(host); })) << sim->must("stats");
        expect_default_values(host);
        EXPECT_TRUE(host.logs().contains("does not support ReadPropertyMultiple"));
        EXPECT_GT(requests(*sim, "readProperty"), 7);
        // Refused once, then never asked again.
        const int rpm = requests(*sim, "readPropertyMultiple");
        sim->must("set AI:1 19.5");
        ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{19.5}); }));
        EXPECT_EQ(requests(*sim, "readPropertyMultiple"), rpm);
        stop_and_drain(*device);
    }
}

TEST_F(BacnetPluginTest, FindsTheDeviceByInstanceWithWhoIs) {
    SKIP_WITHOUT_SIMULATOR();
    BacnetDeviceOptions other;
    other.interface = "127.0.0.4";
    other.device_instance = 99;
    auto decoy = start_sim(other);  // answers only a Who-Is range that includes 99
    BacnetDeviceOptions options;
    options.device_instance = 4321;
    auto sim = start_sim(options);
    ASSERT_TRUE(sim && decoy);
    FakeHost host(io_, "ahu");
    auto device = started(host, by_instance(4321, "cov: false\n",
                                            "  - {name: temp, object: AI:1}\n"
                                            "  - {name: id, object: 'device:4321', property: "
                                            "object-identifier}\n"));
    ASSERT_TRUE(device);
    ASSERT_TRUE(run_until([&] { return host.has_good("temp"); })) << sim->must("stats");
    EXPECT_GE(requests(*sim, "whoIs"), 1);
    EXPECT_GE(requests(*decoy, "whoIs"), 1);                 // the broadcast reached both
    EXPECT_EQ(requests(*decoy, "readPropertyMultiple"), 0);  // only 4321 answered
    EXPECT_FALSE(host.has_good("id"));  // an object identifier has no telemetry form
    stop_and_drain(*device);
}

// 100 analog inputs, each read with present-value and status-flags, one poll cycle: the
// simulator counts what it received.
TEST_F(BacnetPluginTest, RequestsPerPollCycleForAHundredPoints) {
    SKIP_WITHOUT_SIMULATOR();
    nlohmann::json objects = nlohmann::json::array();
    std::string points;
    for (int i = 1; i <= 100; ++i) {
        objects.push_back({{"id", "AI:" + std::to_string(i)}, {"value", i}, {"units", 62}});
        // unit given: no units read at start, so the count is the cycle's alone.
        points += "  - {name: p" + std::to_string(i) + ", object: AI:" + std::to_string(i) +
                  ", unit: C}\n";
    }
    const auto file = state_.path() / "objects.json";
    std::ofstream(file) << objects.dump();
    std::map<std::string, int> counted;
    for (bool rpm : {true, false}) {
        BacnetDeviceOptions options;
        options.objects = file;
        options.no_rpm = !rpm;
        auto sim = start_sim(options);
        ASSERT_TRUE(sim);
        FakeHost host(io_, "ahu");
        // One cycle per hour: only the first runs during the test.
        auto device = started(host, by_address(*sim, "cov: false\npoll_interval: 1h\n", points));
        ASSERT_TRUE(device);
        ASSERT_TRUE(run_until([&] { return host.has_good("p100") && host.has_good("p1"); }));
        const auto stats = json(sim->must("stats"))["requests"];
        const int rpms = stats.value("readPropertyMultiple", 0);
        const int rps = stats.value("readProperty", 0);
        std::cerr << "100 points, one poll cycle, " << (rpm ? "RPM device" : "device without RPM")
                  << ": " << rpms << " ReadPropertyMultiple + " << rps << " ReadProperty\n";
        if (rpm) {
            EXPECT_EQ(rpms, 2);  // 100 x (present-value + status-flags) within 1476 bytes
            EXPECT_EQ(rps, 0);
        } else {
            EXPECT_EQ(rpms, 1);   // refused once
            EXPECT_EQ(rps, 200);  // present-value and status-flags, one request each
        }
        stop_and_drain(*device);
    }
}

TEST_F(BacnetPluginTest, ASmallMaxApduMeansMoreSmallerRequests) {
    SKIP_WITHOUT_SIMULATOR();
    BacnetDeviceOptions options;
    options.max_apdu = 206;
    auto sim = start_sim(options);
    ASSERT_TRUE(sim);
    FakeHost host(io_, "ahu");
    // The simulator's I-Am always says 1482 (a library quirk): max_apdu tells the truth.
    auto device = started(host, by_address(*sim, "cov: false\nmax_apdu: 206\n", kPoints));
    ASSERT_TRUE(device);
    ASSERT_TRUE(run_until([&] { return all_good(host); })) << sim->must("stats");
    EXPECT_FALSE(host.logs().contains("cannot answer"));  // planned right: never too long
    stop_and_drain(*device);
}

}  // namespace
}  // namespace lintel::bacnet::test
