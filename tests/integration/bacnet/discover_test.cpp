// Integration tests of lintel-bacnet-discover, the built binary, against simulated devices: the
// device table (all, an instance range), one device's objects as a devices.d entry (also when its
// object-list must be read by index), a device that is not there.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/bacnet_device.hpp"
#include "support/files.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace lintel::bacnet::test {
namespace {

using namespace std::chrono_literals;
using lintel::test::BacnetDevice;
using lintel::test::BacnetDeviceOptions;
using lintel::test::Output;
using lintel::test::Process;
using lintel::test::ProcessOptions;

struct ToolRun {
    int code = -1;
    std::string out;
    std::string err;
};

class DiscoverToolTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto ok = BacnetDevice::available(); !ok) GTEST_SKIP() << ok.error().message;
    }

    std::unique_ptr<BacnetDevice> sim(const std::string& interface, std::uint32_t instance,
                                      bool object_list_no_array = false) {
        BacnetDeviceOptions o;
        o.interface = interface;
        o.device_instance = instance;
        o.broadcast = broadcast_;
        o.object_list_no_array = object_list_no_array;
        auto s = BacnetDevice::start(o);
        EXPECT_TRUE(s) << (s ? "" : s.error().message);
        return s ? std::make_unique<BacnetDevice>(std::move(*s)) : nullptr;
    }

    ToolRun discover(std::vector<std::string> extra) {
        std::vector<std::string> argv{
            std::string(LINTEL_BUILD_DIR) + "/bin/lintel-bacnet-discover",
            "--local",
            "127.0.0.3:" + std::to_string(lintel::test::free_udp_port("127.0.0.3")),
            "--broadcast",
            broadcast_,
            "--wait",
            "700ms",
            "--timeout",
            "500ms"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        const auto out = dir_.path() / "out";
        const auto err = dir_.path() / "err";
        auto p = Process::spawn(ProcessOptions::of(argv)
                                    .with_stdout(Output::to_file(out))
                                    .with_stderr(Output::to_file(err)));
        EXPECT_TRUE(p) << p.error().message;
        if (!p) return {};
        auto status = p->wait_exit(20s);
        EXPECT_TRUE(status && status->exited);
        return {status && status->exited ? status->code : -1,
                lintel::test::read_file(out).value_or(""),
                lintel::test::read_file(err).value_or("")};
    }

    lintel::test::TestWatchdog dog_{60s};
    lintel::test::TempDir dir_{"lintel-discover"};
    std::string broadcast_ =
        "127.255.255.255:" + std::to_string(lintel::test::free_udp_port("127.0.0.3"));
};

TEST_F(DiscoverToolTest, ListsTheDevicesThatAnswerWhoIs) {
    auto a = sim("127.0.0.2", 1234);
    auto b = sim("127.0.0.4", 99);
    ASSERT_TRUE(a && b);
    const ToolRun all = discover({});
    EXPECT_EQ(all.code, 0) << all.err;
    EXPECT_NE(all.out.find("99          " + b->address()), std::string::npos) << all.out;
    EXPECT_NE(all.out.find("1234        " + a->address()), std::string::npos) << all.out;
    EXPECT_NE(all.out.find("lintel-sim-1234"), std::string::npos) << all.out;
    EXPECT_LT(all.out.find("lintel-sim-99"), all.out.find("lintel-sim-1234"));  // by instance

    const ToolRun range = discover({"--low", "1000", "--high", "2000"});
    EXPECT_EQ(range.code, 0) << range.err;
    EXPECT_NE(range.out.find("1234"), std::string::npos);
    EXPECT_EQ(range.out.find("lintel-sim-99"), std::string::npos) << range.out;
    EXPECT_EQ(nlohmann::json::parse(b->must("stats"))["requests"]["readProperty"], 1)
        << "only the first run read its name";

    const ToolRun unicast = discover({"--address", b->address()});
    EXPECT_EQ(unicast.code, 0) << unicast.err;
    EXPECT_EQ(unicast.out.find("lintel-sim-1234"), std::string::npos) << unicast.out;

    const ToolRun none = discover({"--low", "5", "--high", "6"});
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.err.find("no device answered Who-Is"), std::string::npos) << none.err;
}

TEST_F(DiscoverToolTest, ListsADevicesObjectsAsADevicesEntryEvenByIndex) {
    for (bool by_index : {false, true}) {
        SCOPED_TRACE(by_index ? "object-list by index" : "object-list whole");
        auto a = sim("127.0.0.2", 1234, by_index);
        ASSERT_TRUE(a);
        const ToolRun r = discover({"--device", "1234"});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_NE(r.out.find("- name: lintel_sim_1234"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("device_instance: 1234"), std::string::npos);
        EXPECT_NE(r.out.find("{name: room_temperature, object: AI:1}"), std::string::npos);
        EXPECT_NE(r.out.find("# \"Room temperature\", °C"), std::string::npos);
        EXPECT_NE(r.out.find("{name: operating_mode, object: MSV:1}"), std::string::npos);
        EXPECT_NE(r.out.find("\"Valve position\", %, commandable"), std::string::npos);
        EXPECT_EQ(r.out.find("(object-list read by index)") != std::string::npos, by_index)
            << r.out;
        const auto stats = nlohmann::json::parse(a->must("stats"))["requests"];
        // The object-list: whole (one ReadProperty), or refused whole, its length, then its 11
        // elements in one ReadPropertyMultiple. Then names, descriptions and units of the ten
        // objects in two (names are estimated at 64 bytes each, to stay within one APDU).
        EXPECT_EQ(stats.value("readProperty", 0), by_index ? 2 : 1) << stats.dump();
        EXPECT_EQ(stats.value("readPropertyMultiple", 0), by_index ? 3 : 2) << stats.dump();
    }
    const ToolRun missing = discover({"--device", "4242"});
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.err.find("device 4242 did not answer Who-Is"), std::string::npos)
        << missing.err;
}

}  // namespace
}  // namespace lintel::bacnet::test
