// Who may use the control socket, end to end: lintelctl forked as another uid, with and
// without the admin group; refusals reach on_refused; no daemon at all.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "control_fixture.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;

class ControlAccess : public ControlFixture {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to run lintelctl as another uid";
        ControlFixture::SetUp();
    }
    TestWatchdog dog_{60s, [this] { io_.stop(); }};
};

TEST_F(ControlAccess, TheSocketIs0660AndBelongsToTheAdminGroup) {
    start_server();
    struct stat st {};
    ASSERT_EQ(::lstat(socket_path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    EXPECT_EQ(st.st_gid, k_test_admin_gid);
    EXPECT_TRUE(log_.contains("control: listening on " + socket_path().string() +
                              "; root and group lintel-admin (gid 4242) may connect"));
}

TEST_F(ControlAccess, AnotherUidIsRefusedAndTheDaemonHearsOfIt) {
    start_server();
    // Let the connection reach the server (the 0660 mode alone would stop it in connect()).
    ASSERT_EQ(::chmod(socket_path().c_str(), 0666), 0);
    auto r = ctl_as(k_other_uid, k_other_uid, {}, {"status"});
    EXPECT_EQ(r.code, 77);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "lintelctl: permission denied: run as root or as a member of group lintel-admin "
              "(linteld: uid 65534 is not root and not in group lintel-admin)\n");

    ASSERT_TRUE(wait_until([&] { return !refused().empty(); }, 5s));
    const auto seen = refused();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].uid, k_other_uid);
    EXPECT_GT(seen[0].pid, 0);
    EXPECT_EQ(seen[0].what, "uid 65534 is not root and not in group lintel-admin");
    EXPECT_TRUE(service_.calls().empty());
    EXPECT_TRUE(requests().empty());
    EXPECT_TRUE(log_.contains("control: refused uid 65534", sdk::LogLevel::warning));

    // --json changes nothing about a refusal.
    auto j = ctl_as(k_other_uid, k_other_uid, {}, {"--json", "reload"});
    EXPECT_EQ(j.code, 77);
    EXPECT_EQ(j.out, "");
    EXPECT_TRUE(service_.calls().empty());
}

TEST_F(ControlAccess, TheSocketModeStopsOthersBeforeTheServerDoes) {
    start_server();
    auto r = ctl_as(k_other_uid, k_other_uid, {}, {"status"});
    EXPECT_EQ(r.code, 77);
    EXPECT_EQ(r.err,
              "lintelctl: permission denied: run as root or as a member of group "
              "lintel-admin (cannot connect to " +
                  socket_path().string() + ": Permission denied)\n");
    EXPECT_TRUE(refused().empty());  // the kernel refused; the server never saw it
}

TEST_F(ControlAccess, AMemberOfTheAdminGroupIsAllowed) {
    start_server();
    auto supplementary = ctl_as(k_other_uid, k_other_uid, {100, k_test_admin_gid}, {"status"});
    EXPECT_EQ(supplementary.code, 0) << supplementary.err;
    EXPECT_NE(supplementary.out.find("gateway       gw-0042\n"), std::string::npos);

    auto primary = ctl_as(k_other_uid, k_test_admin_gid, {}, {"--json", "queue"});
    EXPECT_EQ(primary.code, 0) << primary.err;
    EXPECT_EQ(primary.out.substr(0, 1), "{");

    const auto seen = requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].uid, k_other_uid);
    EXPECT_EQ(seen[0].what, "status");
    EXPECT_EQ(seen[1].what, "queue");
    EXPECT_TRUE(refused().empty());
}

TEST_F(ControlAccess, WithoutTheGroupOnlyRootAndTheDaemonUser) {
    auto options = test_options();
    options.admin_gid.reset();
    options.admin_group = "lintel-no-such-group-x";
    start_server(options);
    EXPECT_TRUE(log_.contains("control: group lintel-no-such-group-x does not exist",
                              sdk::LogLevel::warning));
    ASSERT_EQ(::chmod(socket_path().c_str(), 0666), 0);
    auto r = ctl_as(k_other_uid, k_other_uid, {k_test_admin_gid}, {"status"});
    EXPECT_EQ(r.code, 77);
    EXPECT_NE(r.err.find("uid 65534 is not root and not linteld's user"), std::string::npos)
        << r.err;
    EXPECT_EQ(ctl({"status"}).code, 0);  // root still is
}

TEST_F(ControlAccess, NoDaemonExits69) {
    auto r = ctl({"status"});
    EXPECT_EQ(r.code, 69);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "lintelctl: linteld is not running (no socket at " + socket_path().string() + ")\n");

    // A socket file left behind by a linteld that died.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, socket_path().c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    auto stale = ctl({"--json", "status"});
    EXPECT_EQ(stale.code, 69);
    EXPECT_EQ(stale.out, "");
    EXPECT_EQ(stale.err, "lintelctl: linteld is not running (nothing listens on " +
                             socket_path().string() + ")\n");

    // The next linteld replaces that stale file.
    start_server();
    EXPECT_EQ(ctl({"status"}).code, 0);
}

}  // namespace
}  // namespace lintel::test
