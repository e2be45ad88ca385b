// The control link against the real wpa_supplicant: killed and restarted (SIGTERM and SIGKILL)
// the client re-attaches and keeps reporting; a missing or dead socket fails within the
// deadline; a client started before wpa_supplicant attaches once it is up.
#include "dot1x_fixture.hpp"

namespace lintel::wpa::test {
namespace {

using lintel::test::run_until;
using lintel::test::TestWatchdog;

TEST_F(Dot1xTest, RestartedSupplicantIsReattachedAndKeepsReporting) {
    TestWatchdog dog(60s, [&] { io_.stop(); });
    start_supplicant(rig_->pki().dot1x_a, "dot1x-a");
    Recorder seen;
    auto client = attached_client(seen);
    ASSERT_TRUE(client->attached());
    WpaControl& wpa = *client;
    ASSERT_TRUE(await(wpa));

    // SIGTERM: it says goodbye, and the watchdog notices that nobody answers any more.
    rig_->stop_supplicant();
    ASSERT_TRUE(run_until(
        io_, [&] { return seen.count(EventKind::terminating) == 1; }, 5s));
    ASSERT_TRUE(run_until(
        io_, [&] { return !wpa.attached(); }, 5s));
    ASSERT_FALSE(seen.links.empty());
    EXPECT_EQ(seen.links.back().kind, LinkChange::Kind::lost);

    auto from = seen.events.size();
    ASSERT_NO_FATAL_FAILURE(start_supplicant(rig_->pki().dot1x_a, "dot1x-a"));
    ASSERT_TRUE(run_until(
        io_, [&] { return wpa.attach_count() == 2 && wpa.attached(); }, 10s));
    auto again = await(wpa, 20s, true);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_GE(seen.count(EventKind::eap_success, from), 1u) << "events flow after re-attach";

    // SIGKILL: no goodbye, its socket file stays; a PING finds nobody behind it.
    rig_->stop_supplicant(true);
    ASSERT_TRUE(run_until(
        io_, [&] { return !wpa.attached(); }, 5s));
    EXPECT_EQ(seen.links.back().error->code, reason::unreachable);
    from = seen.events.size();
    const auto t0 = Clock::now();
    ASSERT_NO_FATAL_FAILURE(start_supplicant(rig_->pki().dot1x_a, "dot1x-a"));
    ASSERT_TRUE(run_until(
        io_, [&] { return wpa.attach_count() == 3 && wpa.attached(); }, 10s));
    figure("restart_to_reattached_ms",
           std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
    auto third = await(wpa, 20s, true);
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_GE(seen.count(EventKind::eap_success, from), 1u);
    std::size_t attached = 0;
    for (const auto& l : seen.links)
        if (l.kind == LinkChange::Kind::attached) ++attached;
    EXPECT_EQ(attached, 3u);
}

TEST_F(Dot1xTest, MissingOrDeadSocketFailsWithinTheDeadline) {
    TestWatchdog dog(60s, [&] { io_.stop(); });
    write_config(rig_->pki().dot1x_a, "dot1x-a");  // the socket's path is known, nobody there
    WpaControl wpa(io_.get_executor(), options());
    auto t0 = Clock::now();
    auto missing = run<void>([&](auto done) { wpa.async_ping(std::move(done), 2s); }, 5s);
    ASSERT_FALSE(missing);
    EXPECT_LT(Clock::now() - t0, 2s);
    EXPECT_EQ(missing.error().code, reason::unreachable);
    EXPECT_NE(missing.error().message.find(rig_->supplicant_socket().string()), std::string::npos)
        << missing.error().message;
    EXPECT_NE(missing.error().message.find("not running"), std::string::npos)
        << missing.error().message;

    // A client started before wpa_supplicant: start() fails, the watchdog attaches later.
    Recorder seen;
    wpa.add_listener(seen.listener());
    auto early = run<void>([&](auto done) { wpa.start(std::move(done)); });
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, reason::unreachable);
    auto up = rig_->start_supplicant();
    ASSERT_TRUE(up) << up.error().message;
    ASSERT_TRUE(run_until(
        io_, [&] { return wpa.attached(); }, 5s));
    ASSERT_TRUE(await(wpa));

    // Killed: the socket file is still there, with nobody behind it.
    rig_->stop_supplicant(true);
    ASSERT_TRUE(std::filesystem::exists(rig_->supplicant_socket()));
    WpaControl other(io_.get_executor(), options());
    t0 = Clock::now();
    auto dead = run<Status>([&](auto done) { other.async_status(std::move(done), 2s); }, 5s);
    ASSERT_FALSE(dead);
    EXPECT_LT(Clock::now() - t0, 2s);
    EXPECT_EQ(dead.error().code, reason::unreachable);
    EXPECT_NE(dead.error().message.find("nobody behind the socket"), std::string::npos)
        << dead.error().message;
}

}  // namespace
}  // namespace lintel::wpa::test
