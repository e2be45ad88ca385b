// Who may use the control socket, and the listening socket's setup (path, stale files, mode).
#include "control/peer_policy.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "control/listen_socket.hpp"
#include "support/files.hpp"

namespace lintel::control {
namespace {

constexpr gid_t k_admin = 4242;

Peer peer(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
    Peer p;
    p.uid = uid;
    p.gid = gid;
    p.pid = 1;
    p.groups = std::move(groups);
    return p;
}

AdminGroup admin_group(std::optional<gid_t> gid) {
    AdminGroup g;
    g.name = "lintel-admin";
    g.gid = gid;
    return g;
}

TEST(ControlPeerPolicy, RootTheDaemonUserAndAdminGroupMembersAreAllowed) {
    const PeerPolicy policy(998, admin_group(k_admin));
    EXPECT_FALSE(policy.refusal(peer(0, 0)));
    EXPECT_FALSE(policy.refusal(peer(998, 998)));
    EXPECT_FALSE(policy.refusal(peer(1001, k_admin)));              // primary group
    EXPECT_FALSE(policy.refusal(peer(1001, 1001, {27, k_admin})));  // supplementary
    EXPECT_EQ(policy.refusal(peer(1001, 1001, {27, 100})),
              "uid 1001 is not root and not in group lintel-admin");
    EXPECT_EQ(policy.summary(), "root, uid 998 (linteld) and group lintel-admin (gid 4242)");
}

TEST(ControlPeerPolicy, WithoutAnAdminGroupOnlyRootAndTheDaemonUser) {
    const PeerPolicy policy(998, admin_group(std::nullopt));
    EXPECT_FALSE(policy.refusal(peer(0, 0)));
    EXPECT_FALSE(policy.refusal(peer(998, 998)));
    EXPECT_EQ(policy.refusal(peer(1001, k_admin, {k_admin})),
              "uid 1001 is not root and not linteld's user");
    EXPECT_EQ(policy.summary(), "root, uid 998 (linteld)");
    EXPECT_EQ(PeerPolicy(0, admin_group(std::nullopt)).summary(), "root");
}

TEST(ControlPeerPolicy, AdminGroupResolution) {
    const auto numeric = resolve_admin_group("lintel-admin", k_admin);
    EXPECT_EQ(numeric.gid, k_admin);
    EXPECT_EQ(numeric.name, "lintel-admin");
    EXPECT_TRUE(numeric.note.empty());
    EXPECT_EQ(resolve_admin_group("", k_admin).name, "gid 4242");

    const auto root = resolve_admin_group("root", std::nullopt);  // every system has it
    EXPECT_EQ(root.gid, gid_t{0});

    const auto missing = resolve_admin_group("lintel-no-such-group-x", std::nullopt);
    EXPECT_FALSE(missing.gid);
    EXPECT_NE(missing.note.find("group lintel-no-such-group-x does not exist"), std::string::npos)
        << missing.note;

    // The overflow gid is what every unmapped group looks like inside a user namespace.
    const auto overflow = resolve_admin_group("nogroup", gid_t{65534});
    EXPECT_FALSE(overflow.gid);
    EXPECT_NE(overflow.note.find("overflow gid"), std::string::npos) << overflow.note;
}

TEST(ControlPeerPolicy, ReadPeerOnASocketpairIsUs) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    auto p = read_peer(fds[0]);
    ::close(fds[0]);
    ::close(fds[1]);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->uid, ::geteuid());
    EXPECT_EQ(p->gid, ::getegid());
    EXPECT_EQ(p->pid, ::getpid());
    EXPECT_TRUE(p->groups_known);
    std::vector<gid_t> ours(static_cast<std::size_t>(::getgroups(0, nullptr)));
    ASSERT_EQ(::getgroups(static_cast<int>(ours.size()), ours.data()),
              static_cast<int>(ours.size()));
    std::sort(ours.begin(), ours.end());
    auto theirs = p->groups;
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(theirs, ours);
}

class ControlListenSocket : public ::testing::Test {
protected:
    std::filesystem::path path() const { return dir_ / "control.sock"; }
    test::TempDir dir_{"lintel-control-unit"};
};

TEST_F(ControlListenSocket, CreatesASocketWithMode0660AndTheGroup) {
    auto s = create_listen_socket(path(), gid_t{k_admin}, "lintel-admin");
    ASSERT_TRUE(s) << s.error().message;
    struct stat st {};
    ASSERT_EQ(::lstat(path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    if (::geteuid() == 0) {
        EXPECT_EQ(st.st_gid, gid_t{k_admin});
        EXPECT_TRUE(s->note.empty()) << s->note;
    }
    EXPECT_TRUE(s->created);
    remove_socket_file(*s);
    ::close(s->fd);
    EXPECT_FALSE(std::filesystem::exists(path()));
}

TEST_F(ControlListenSocket, ReplacesAStaleSocketButNotALiveOne) {
    auto first = create_listen_socket(path(), std::nullopt, "lintel-admin");
    ASSERT_TRUE(first) << first.error().message;
    auto second = create_listen_socket(path(), std::nullopt, "lintel-admin");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "control.in_use");
    EXPECT_NE(second.error().message.find("another process listens on"), std::string::npos);

    ::close(first->fd);  // the file stays: a daemon that died
    ASSERT_TRUE(std::filesystem::exists(path()));
    auto third = create_listen_socket(path(), std::nullopt, "lintel-admin");
    ASSERT_TRUE(third) << third.error().message;
    remove_socket_file(*third);
    ::close(third->fd);
    EXPECT_FALSE(std::filesystem::exists(path()));
}

TEST_F(ControlListenSocket, StopRemovesOnlyItsOwnFile) {
    auto ours = create_listen_socket(path(), std::nullopt, "x");
    ASSERT_TRUE(ours) << ours.error().message;
    // Someone moved ours away and another linteld created its own at the path meanwhile.
    ASSERT_EQ(::rename(path().c_str(), (dir_ / "moved.sock").c_str()), 0);
    auto theirs = create_listen_socket(path(), std::nullopt, "x");
    ASSERT_TRUE(theirs) << theirs.error().message;
    remove_socket_file(*ours);
    EXPECT_TRUE(std::filesystem::exists(path()));
    ::close(ours->fd);
    remove_socket_file(*theirs);
    ::close(theirs->fd);
    EXPECT_FALSE(std::filesystem::exists(path()));
}

TEST_F(ControlListenSocket, NeverRemovesAFileThatIsNotASocket) {
    ASSERT_TRUE(test::write_file(path(), "precious"));
    auto s = create_listen_socket(path(), std::nullopt, "lintel-admin");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "control.socket");
    EXPECT_NE(s.error().message.find("exists and is not a socket"), std::string::npos);
    EXPECT_EQ(test::read_file(path()).value_or(""), "precious");

    std::filesystem::create_directory(dir_ / "dir.sock");
    EXPECT_FALSE(create_listen_socket(dir_ / "dir.sock", std::nullopt, "x"));
    EXPECT_TRUE(std::filesystem::is_directory(dir_ / "dir.sock"));
}

TEST_F(ControlListenSocket, PathErrorsNameThePath) {
    auto missing = create_listen_socket(dir_ / "no-such-dir" / "c.sock", std::nullopt, "x");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no-such-dir/c.sock"), std::string::npos);
    auto long_path = create_listen_socket(dir_ / std::string(120, 'x'), std::nullopt, "x");
    ASSERT_FALSE(long_path);
    EXPECT_NE(long_path.error().message.find("longer than 107 bytes"), std::string::npos);
}

TEST_F(ControlListenSocket, AdoptsOnlyAListeningUnixStreamSocket) {
    auto created = create_listen_socket(path(), std::nullopt, "x");
    ASSERT_TRUE(created) << created.error().message;
    auto adopted = adopt_listen_socket(created->fd);
    ASSERT_TRUE(adopted) << adopted.error().message;
    EXPECT_EQ(adopted->path, path());
    EXPECT_FALSE(adopted->created);  // systemd's file: stays on stop
    remove_socket_file(*adopted);
    EXPECT_TRUE(std::filesystem::exists(path()));
    ::close(created->fd);

    const int unbound = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto not_listening = adopt_listen_socket(unbound);
    ASSERT_FALSE(not_listening);
    EXPECT_NE(not_listening.error().message.find("is not listening"), std::string::npos);
    ::close(unbound);

    const int datagram = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_FALSE(adopt_listen_socket(datagram));
    ::close(datagram);
    const int inet = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_FALSE(adopt_listen_socket(inet));
    ::close(inet);
    EXPECT_FALSE(adopt_listen_socket(987));
    EXPECT_FALSE(adopt_listen_socket(-1));
}

}  // namespace
}  // namespace lintel::control
