// Integration tests: what a building network does to a gateway: a device that falls silent (the
// others sharing the socket carry on; it comes back by itself), discovery and reads through a BBMD
// as a foreign device, two devices on one local endpoint.
#include "bacnet_fixture.hpp"

namespace lintel::bacnet::test {
namespace {

using sdk::Health;
using sdk::Value;

const std::string kTemp = "  - {name: temp, object: AI:1}\n";

TEST_F(BacnetPluginTest, ASilentDeviceDoesNotStallAnother) {
    SKIP_WITHOUT_SIMULATOR();
    BacnetDeviceOptions a_options;
    a_options.device_instance = 1;
    BacnetDeviceOptions b_options;
    b_options.interface = "127.0.0.4";
    b_options.device_instance = 2;
    auto a = start_sim(a_options);
    auto b = start_sim(b_options);
    ASSERT_TRUE(a && b);
    FakeHost host_a(io_, "a");
    FakeHost host_b(io_, "b");
    // Both polled (no COV) through the same local endpoint, one request at a time each.
    auto dev_a = started(host_a, by_address(*a, "cov: false\n", kTemp), "a");
    auto dev_b = started(host_b, by_address(*b, "cov: false\n", kTemp), "b");
    ASSERT_TRUE(dev_a && dev_b);
    ASSERT_TRUE(run_until([&] { return host_a.has_good("temp") && host_b.has_good("temp"); }));

    a->must("silent on");
    ASSERT_TRUE(run_until([&] { return host_a.health() == Health::down; }, 5s));
    EXPECT_TRUE(host_a.latest_is("temp", sdk::Quality::error));
    // Meanwhile b answers within its poll interval, every time.
    for (double v : {30.0, 31.0, 32.0}) {
        b->must("set AI:1 " + std::to_string(v));
        const auto asked = std::chrono::steady_clock::now();
        ASSERT_TRUE(run_until([&] { return is(host_b, "temp", Value{v}); }, 2s));
        EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
    }
    EXPECT_EQ(host_b.reports_of(Health::down), 0U);

    a->must("silent off");
    a->must("set AI:1 20");
    ASSERT_TRUE(run_until([&] { return is(host_a, "temp", Value{20.0}); }, 10s));
    EXPECT_EQ(host_a.health(), Health::ok);
    EXPECT_TRUE(host_a.logs().contains("answers normally again"));
    dev_a->stop();
    stop_and_drain(*dev_b);
}

TEST_F(BacnetPluginTest, DevicesOnOneLocalEndpointMustAgreeOnItsSettings) {
    FakeHost host(io_, "x");
    const std::string points = "points: [{name: t, object: AI:1}]\n";
    ASSERT_TRUE(make_device(host, "device_instance: 1\nlocal: " + local() + "\n" + points, "a"));
    // The same device built again (restart-driver) is fine.
    ASSERT_TRUE(make_device(host, "device_instance: 1\nlocal: " + local() + "\n" + points, "a"));
    sdk::ConfigErrors errors;
    sdk::ConfigErrors parse_errors;
    auto root = core::load_yaml_string(
        "device_instance: 2\nlocal: " + local() + "\nbbmd: {address: 192.0.2.1}\n" + points,
        "devices.d/b.yaml", parse_errors);
    ASSERT_TRUE(root);
    EXPECT_FALSE(driver_.create(sdk::DeviceSpec{"b", *root}, host, errors));
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_NE(errors.to_string().find("devices.d/b.yaml:2:8: local: device a uses local "
                                      "endpoint " +
                                      local()),
              std::string::npos)
        << errors.to_string();
}

TEST_F(BacnetPluginTest, DiscoversAndReadsThroughABbmdAsAForeignDevice) {
    SKIP_WITHOUT_SIMULATOR();
    BacnetDeviceOptions options;
    options.device_instance = 777;
    options.broadcast = "none";  // only the BBMD can reach it with a broadcast
    auto sim = start_sim(options);
    ASSERT_TRUE(sim);
    lintel::test::BbmdOptions bbmd_options;
    bbmd_options.devices = {sim->address()};
    auto bbmd = lintel::test::BbmdStandIn::start(bbmd_options);
    ASSERT_TRUE(bbmd) << bbmd.error().message;
    FakeHost host(io_, "ahu");
    auto device = started(
        host,
        by_instance(777, "cov: false\nbbmd: {address: " + bbmd->address() + ", ttl: 2s}\n", kTemp));
    ASSERT_TRUE(device);
    ASSERT_TRUE(run_until([&] { return host.has_good("temp"); }, 10s)) << bbmd->must("stats");
    EXPECT_TRUE(host.logs().contains("registered as a foreign device with the BBMD"));
    const auto fdt = json(bbmd->must("fdt"));
    ASSERT_EQ(fdt.size(), 1U) << fdt.dump();
    EXPECT_EQ(fdt[0]["address"], local());
    EXPECT_EQ(fdt[0]["ttl"], 2);
    EXPECT_GE(json(bbmd->must("stats"))["distributed"], 1);  // the Who-Is went through it
    // Renewed at half the TTL: the entry never lapses.
    ASSERT_TRUE(run_until([&] { return json(bbmd->must("stats"))["registrations"] >= 3; }, 5s));
    EXPECT_EQ(json(bbmd->must("fdt")).size(), 1U);
    stop_and_drain(*device);
}

}  // namespace
}  // namespace lintel::bacnet::test
