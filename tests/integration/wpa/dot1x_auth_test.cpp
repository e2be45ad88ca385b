// EAP-TLS end to end through WpaControl: a valid certificate is authorized, a revoked one is
// refused (CRL), RECONFIGURE switches the identity and a bad one is rolled back.
#include "dot1x_fixture.hpp"

namespace lintel::wpa::test {
namespace {

using lintel::test::TestWatchdog;

TEST_F(Dot1xTest, ValidCertificateIsAuthorized) {
    TestWatchdog dog(60s, [&] { io_.stop(); });
    const auto t0 = Clock::now();
    start_supplicant(rig_->pki().dot1x_a, "dot1x-a");
    Recorder seen;
    auto client = attached_client(seen);
    ASSERT_TRUE(client->attached());
    WpaControl& wpa = *client;

    auto auth = await(wpa);
    ASSERT_TRUE(auth) << auth.error().message;
    figure("start_to_authorized_ms",
           std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
    EXPECT_TRUE(auth->status.port_authorized());

    auto s = status(wpa);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->supp_port_status, "Authorized");
    EXPECT_EQ(s->pae_state, "AUTHENTICATED");
    EXPECT_EQ(s->eap_state, "SUCCESS");
    EXPECT_EQ(s->selected_method, "13 (EAP-TLS)");
    EXPECT_EQ(s->key_mgmt, "IEEE 802.1X (no WPA)");
    EXPECT_EQ(s->bssid, "01:80:c2:00:00:03");

    // The events said so too, and the other side agrees.
    ASSERT_TRUE(lintel::test::run_until(
        io_, [&] { return seen.count(EventKind::connected) >= 1; }, 5s));
    EXPECT_GE(seen.count(EventKind::eap_success), 1u);
    EXPECT_EQ(seen.count(EventKind::eap_failure), 0u);
    EXPECT_EQ(authenticator_station(), "flags=[AUTHORIZED] dot1xAuthSessionUserName=dot1x-a");
    EXPECT_TRUE(rig_->wait_for_radius_log("Login OK: [dot1x-a]", 2s)) << rig_->radius_log();
}

TEST_F(Dot1xTest, RevokedCertificateIsRefused) {
    TestWatchdog dog(60s, [&] { io_.stop(); });
    start_supplicant(rig_->pki().dot1x_revoked, "dot1x-revoked");
    Recorder seen;
    auto client = attached_client(seen);
    ASSERT_TRUE(client->attached());
    WpaControl& wpa = *client;

    auto auth = await(wpa);
    ASSERT_FALSE(auth) << "a revoked certificate was authorized";
    EXPECT_EQ(auth.error().code, reason::auth_failed);
    EXPECT_NE(auth.error().message.find("EAP authentication failed (EAP-TLS)"), std::string::npos)
        << auth.error().message;
    EXPECT_GE(seen.count(EventKind::eap_failure), 1u);
    EXPECT_EQ(seen.count(EventKind::eap_success), 0u);

    auto s = status(wpa);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_FALSE(s->port_authorized());
    EXPECT_EQ(s->eap_state, "FAILURE");
    EXPECT_EQ(authenticator_station().find("[AUTHORIZED]"), std::string::npos);
    // Refused for the CRL, not for anything else.
    EXPECT_TRUE(rig_->wait_for_radius_log("certificate revoked", 2s)) << rig_->radius_log();
}

TEST_F(Dot1xTest, ReconfigureSwitchesIdentityAndABadOneIsRolledBack) {
    TestWatchdog dog(60s, [&] { io_.stop(); });
    start_supplicant(rig_->pki().dot1x_a, "dot1x-a");
    Recorder seen;
    auto client = attached_client(seen);
    ASSERT_TRUE(client->attached());
    WpaControl& wpa = *client;
    // After a failure hostapd keeps the station deauthenticated for 5 s and ignores its
    // EAPOL-Start; by default the supplicant tries again only 30 s later (startPeriod).
    auto tuned =
        run<void>([&](auto done) { wpa.async_set("EAPOL::startPeriod", "2", std::move(done)); });
    ASSERT_TRUE(tuned) << tuned.error().message;
    auto first = await(wpa);
    ASSERT_TRUE(first) << first.error().message;

    // New credentials: the file, then RECONFIGURE.
    write_config(rig_->pki().dot1x_b, "dot1x-b");
    auto t0 = Clock::now();
    auto reconfigured = run<void>([&](auto done) { wpa.async_reconfigure(std::move(done)); });
    ASSERT_TRUE(reconfigured) << reconfigured.error().message;
    // By the time RECONFIGURE is answered the old session is gone: a STATUS now cannot show the
    // old credentials' success as the new ones'.
    auto right_after = status(wpa);
    ASSERT_TRUE(right_after) << right_after.error().message;
    EXPECT_FALSE(right_after->port_authorized()) << summary(*right_after);

    auto second = await(wpa, 20s, true);
    ASSERT_TRUE(second) << second.error().message;
    figure("reconfigure_to_authorized_ms",
           std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
    EXPECT_EQ(authenticator_station(), "flags=[AUTHORIZED] dot1xAuthSessionUserName=dot1x-b");
    EXPECT_TRUE(rig_->wait_for_radius_log("Login OK: [dot1x-b]", 2s)) << rig_->radius_log();

    // Credentials that do not authenticate: the failure ends the wait, the previous file and
    // another RECONFIGURE bring the port back (what the credential rollback will do).
    write_config(rig_->pki().dot1x_revoked, "dot1x-revoked");
    ASSERT_TRUE(run<void>([&](auto done) { wpa.async_reconfigure(std::move(done)); }));
    auto refused = await(wpa, 20s, true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, reason::auth_failed) << refused.error().message;

    write_config(rig_->pki().dot1x_b, "dot1x-b");
    t0 = Clock::now();  // right after the failure, as a rollback would
    ASSERT_TRUE(run<void>([&](auto done) { wpa.async_reconfigure(std::move(done)); }));
    auto back = await(wpa, 20s, true);
    ASSERT_TRUE(back) << back.error().message;
    figure("rollback_reconfigure_to_authorized_ms",
           std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
    EXPECT_EQ(authenticator_station(), "flags=[AUTHORIZED] dot1xAuthSessionUserName=dot1x-b");
    EXPECT_EQ(wpa.attach_count(), 1u);  // RECONFIGURE keeps the monitor attached
}

}  // namespace
}  // namespace lintel::wpa::test
