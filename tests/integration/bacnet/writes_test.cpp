// Integration tests: writes to the simulated device: present-value at the point's priority (the
// slot shows in the device's priority array), relinquish through "<point>.relinquish", binary and
// multi-state types, refusals before and by the device, timed relinquish also across a restart.
#include "bacnet_fixture.hpp"

#include "relinquish_store.hpp"

namespace lintel::bacnet::test {
namespace {

using sdk::Value;

const std::string kWritable =
    "  - {name: valve, object: AO:1, writable: true, priority: 8, min: 0, max: 100}\n"
    "  - {name: pump, object: BO:1, writable: true}\n"
    "  - {name: fan, object: MSO:1, writable: true, priority: 10}\n"
    "  - {name: temp, object: AI:1}\n";

// The slot `priority` (1-16) of `object`'s priority array as the simulator shows it.
nlohmann::json slot(BacnetDevice& sim, const std::string& object, std::size_t priority) {
    return nlohmann::json::parse(sim.must("priority " + object)).at(priority - 1);
}

TEST_F(BacnetPluginTest, WritesAtThePointsPriorityAndRelinquishes) {
    SKIP_WITHOUT_SIMULATOR();
    auto r = rig("", kWritable, "valve");
    ASSERT_TRUE(r.ready);
    auto& sim = r.sim;
    auto& host = *r.host;
    auto& device = r.device;
    // Each writable point and its relinquish pseudo-point are declared to the host.
    ASSERT_EQ(host.writable.size(), 6U);
    EXPECT_EQ(host.writable[0].point, "valve");
    EXPECT_EQ(host.writable[0].kind, sdk::ValueKind::real);
    EXPECT_EQ(host.writable[0].max, 100.0);
    EXPECT_EQ(host.writable[1].point, "valve.relinquish");
    EXPECT_EQ(host.writable[1].kind, sdk::ValueKind::boolean);
    EXPECT_EQ(host.writable[2].kind, sdk::ValueKind::boolean);
    EXPECT_EQ(host.writable[4].kind, sdk::ValueKind::integer);

    ASSERT_TRUE(write(*device, "valve", Value{42.5}));
    EXPECT_EQ(slot(*sim, "AO:1", 8), 42.5);
    EXPECT_EQ(sim->must("get AO:1"), "42.5");
    ASSERT_TRUE(run_until([&] { return is(host, "valve", Value{42.5}); }));
    // A higher priority (a lower number) wins; relinquishing ours leaves it in charge.
    sim->must("set AO:1 10 5");
    ASSERT_TRUE(write(*device, "valve.relinquish", Value{true}));
    EXPECT_TRUE(slot(*sim, "AO:1", 8).is_null());
    EXPECT_EQ(sim->must("get AO:1"), "10");

    ASSERT_TRUE(write(*device, "pump", Value{true}));
    EXPECT_EQ(slot(*sim, "BO:1", 16), 1);  // the device's write_priority: 16 by default
    ASSERT_TRUE(run_until([&] { return is(host, "pump", Value{true}); }));
    ASSERT_TRUE(write(*device, "fan", Value{std::int64_t{3}}));
    EXPECT_EQ(slot(*sim, "MSO:1", 10), 3);
    ASSERT_TRUE(write(*device, "fan.relinquish", Value{true}));
    EXPECT_TRUE(slot(*sim, "MSO:1", 10).is_null());
    stop_and_drain(*device);
}

TEST_F(BacnetPluginTest, RefusedWritesSayWhy) {
    SKIP_WITHOUT_SIMULATOR();
    auto rg = rig("", kWritable, "valve");
    ASSERT_TRUE(rg.ready);
    auto& sim = rg.sim;
    auto& device = rg.device;
    auto code = [&](const std::string& point, Value v) {
        auto r = write(*device, point, std::move(v));
        return r ? std::string("ok") : r.error().code;
    };
    EXPECT_EQ(code("nothing", Value{1.0}), "bacnet.unknown_point");
    EXPECT_EQ(code("temp", Value{1.0}), "bacnet.not_writable");
    EXPECT_EQ(code("temp.relinquish", Value{true}), "bacnet.not_writable");
    EXPECT_EQ(code("valve", Value{true}), "bacnet.type_mismatch");
    EXPECT_EQ(code("valve", Value{101.0}), "bacnet.out_of_range");
    EXPECT_EQ(code("valve.relinquish", Value{false}), "bacnet.type_mismatch");
    EXPECT_EQ(code("fan", Value{1.5}), "bacnet.type_mismatch");
    // The device's own refusal: MSO:1 has three states.
    auto r = write(*device, "fan", Value{std::int64_t{4}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "bacnet.error.property.value_out_of_range");
    EXPECT_NE(r.error().message.find("write of point fan failed"), std::string::npos);
    EXPECT_TRUE(slot(*sim, "MSO:1", 10).is_null());
    // Stopped: refused at once.
    device->stop();
    EXPECT_EQ(code("valve", Value{1.0}), "bacnet.stopped");
}

TEST_F(BacnetPluginTest, TimedRelinquishRunsWhenDueEvenAfterARestart) {
    SKIP_WITHOUT_SIMULATOR();
    auto sim = start_sim();
    ASSERT_TRUE(sim);
    const std::string points =
        "  - {name: valve, object: AO:1, writable: true, priority: 8, relinquish_after: 1s}\n";
    const auto file = relinquish_file_for(state_.path() / "state", "ahu");
    {
        FakeHost host(io_, "ahu");
        auto device = started(host, by_address(*sim, "", points));
        ASSERT_TRUE(device);
        ASSERT_TRUE(run_until([&] { return host.has_good("valve"); }));
        ASSERT_TRUE(write(*device, "valve", Value{30.0}));
        EXPECT_EQ(slot(*sim, "AO:1", 8), 30);
        // The promise is on disk before the write is reported done.
        auto saved = load_relinquish_file(file);
        ASSERT_TRUE(saved && saved->entries.size() == 1);
        EXPECT_EQ(saved->entries[0].priority, 8);
        EXPECT_EQ(saved->device_key, "address:" + sim->address());
        // Within the same run it happens on time.
        ASSERT_TRUE(run_until([&] { return slot(*sim, "AO:1", 8).is_null(); }, 5s));
        ASSERT_TRUE(run_until([&] { return !std::filesystem::exists(file); }, 2s));
        EXPECT_TRUE(host.logs().contains("its relinquish_after time came"));

        // Written again, then the gateway goes away before the time comes.
        ASSERT_TRUE(write(*device, "valve", Value{31.0}));
        stop_and_drain(*device);
    }
    EXPECT_EQ(slot(*sim, "AO:1", 8), 31);
    ASSERT_TRUE(std::filesystem::exists(file));
    FakeHost host(io_, "ahu");
    auto device = started(host, by_address(*sim, "", points));
    ASSERT_TRUE(device);
    ASSERT_TRUE(run_until([&] { return slot(*sim, "AO:1", 8).is_null(); }, 5s));
    EXPECT_TRUE(host.logs().contains("timed relinquish(es) pending from before this start"));
    ASSERT_TRUE(run_until([&] { return !std::filesystem::exists(file); }, 2s));
    stop_and_drain(*device);
}

}  // namespace
}  // namespace lintel::bacnet::test
