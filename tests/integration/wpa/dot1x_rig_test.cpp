// The rig cleans up after itself: its namespace (and the veth pair in it) goes with it, and one
// left by a test process that was killed is removed by the next rig.
#include <sys/wait.h>
#include <unistd.h>

#include "dot1x_fixture.hpp"
#include "support/process.hpp"

namespace lintel::wpa::test {
namespace {

using lintel::test::Dot1xRig;
using lintel::test::TempDir;
using lintel::test::TestWatchdog;

bool netns_exists(const std::string& name) { return std::filesystem::exists("/run/netns/" + name); }

TEST(Dot1xRig, TearsDownItsNamespaceAndProcesses) {
    if (auto why = Dot1xRig::unavailable(); !why.empty()) GTEST_SKIP() << why;
    TestWatchdog dog(60s);
    TempDir dir("lintel-dot1x");
    std::string netns;
    {
        auto rig = Dot1xRig::start(dir / "rig");
        ASSERT_TRUE(rig) << rig.error().message;
        netns = (*rig)->netns();
        EXPECT_TRUE(netns_exists(netns));
        EXPECT_LE((*rig)->supplicant_ifname().size(), 15u);
        auto ok = (*rig)->write_supplicant_config(
            (*rig)->credentials((*rig)->pki().dot1x_a, "dot1x-a"), dir / "ctrl");
        ASSERT_TRUE(ok) << ok.error().message;
        ASSERT_TRUE((*rig)->start_supplicant());
        EXPECT_TRUE((*rig)->supplicant_running());
        auto pong = (*rig)->hostapd_request("PING");
        ASSERT_TRUE(pong) << pong.error().message;
        EXPECT_EQ(*pong, "PONG\n");
    }
    EXPECT_FALSE(netns_exists(netns));
}

TEST(Dot1xRig, RemovesTheNamespaceOfADeadTest) {
    if (auto why = Dot1xRig::unavailable(); !why.empty()) GTEST_SKIP() << why;
    TestWatchdog dog(60s);
    // A pid that is surely gone: a child that exited and was reaped.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);
    const std::string stale = "lintel-dx-" + std::to_string(child) + "-999";
    auto made = lintel::test::Process::spawn(
        lintel::test::ProcessOptions::of({"ip", "netns", "add", stale}));
    ASSERT_TRUE(made) << made.error().message;
    ASSERT_TRUE(made->wait_exit(10s));
    ASSERT_TRUE(netns_exists(stale));

    TempDir dir("lintel-dot1x");
    auto rig = Dot1xRig::start(dir / "rig");
    ASSERT_TRUE(rig) << rig.error().message;
    EXPECT_FALSE(netns_exists(stale));
    EXPECT_TRUE(netns_exists((*rig)->netns()));
}

}  // namespace
}  // namespace lintel::wpa::test
