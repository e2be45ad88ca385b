// AuthTracker replaying real event sequences of wpa_supplicant 2.10 (data/).
#include "wpa/auth_tracker.hpp"

#include <gtest/gtest.h>

#include "samples.hpp"

namespace lintel::wpa {
namespace {

using test::sample;
using test::sample_events;
using Verdict = AuthTracker::Verdict;

// Feeds every event of `file`; returns the first verdict that is not pending (or pending).
Verdict replay(AuthTracker& tracker, std::string_view file, std::size_t* at = nullptr) {
    const auto lines = sample_events(file);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto e = parse_event(lines[i]);
        EXPECT_TRUE(e) << lines[i];
        if (!e) continue;
        const auto v = tracker.on_event(*e);
        if (v != Verdict::pending) {
            if (at != nullptr) *at = i;
            return v;
        }
    }
    return Verdict::pending;
}

Status status_of(std::string_view file) {
    auto s = parse_status(sample(file));
    EXPECT_TRUE(s) << file;
    return s ? *s : Status{};
}

TEST(AuthTracker, SuccessEventAsksStatusWhichDecides) {
    AuthTracker tracker(AuthPolicy{});
    EXPECT_EQ(tracker.on_status(status_of("status_wired_connecting.txt")), Verdict::pending);
    std::size_t at = 0;
    EXPECT_EQ(replay(tracker, "events_start_success.txt", &at), Verdict::check_status);
    EXPECT_EQ(
        sample_events("events_start_success.txt")[at].find("EAP-SUCCESS") != std::string::npos,
        true);
    EXPECT_EQ(tracker.on_status(status_of("status_wired_authorized.txt")), Verdict::authorized);
    EXPECT_TRUE(tracker.failure_reason().empty());
}

TEST(AuthTracker, RevokedClientCertificateFails) {
    AuthTracker tracker(AuthPolicy{});
    EXPECT_EQ(replay(tracker, "events_revoked_client.txt"), Verdict::failed);
    // The server's refusal reaches the client only as an EAP failure after the TLS exchange.
    EXPECT_EQ(tracker.failure_reason(), "EAP authentication failed (EAP-TLS)");
    EXPECT_EQ(tracker.on_status(status_of("status_wired_held_failure.txt")), Verdict::pending);
}

TEST(AuthTracker, UntrustedServerFailsWithTheReason) {
    AuthTracker tracker(AuthPolicy{});
    EXPECT_EQ(replay(tracker, "events_rogue_server.txt"), Verdict::failed);
    EXPECT_EQ(tracker.failure_reason(),
              "EAP authentication failed (EAP-TLS): server certificate refused (subject "
              "'/O=lintel tests/CN=lintel test CA', depth 1); remote certificate verification: "
              "self-signed certificate in certificate chain; local TLS alert: unknown CA");
}

TEST(AuthTracker, WithoutStopOnFailureALaterSuccessStillCounts) {
    AuthPolicy policy;
    policy.stop_on_failure = false;
    AuthTracker tracker(policy);
    EXPECT_EQ(replay(tracker, "events_revoked_client.txt"), Verdict::pending);
    EXPECT_FALSE(tracker.failure_reason().empty());
    EXPECT_EQ(replay(tracker, "events_reconfigure_success.txt"), Verdict::check_status);
    EXPECT_TRUE(tracker.failure_reason().empty());
    EXPECT_EQ(tracker.on_status(status_of("status_wired_authorized.txt")), Verdict::authorized);
}

TEST(AuthTracker, FreshSuccessRequiredIgnoresAnEarlierAuthorizedState) {
    AuthPolicy policy;
    policy.require_fresh_success = true;
    AuthTracker tracker(policy);
    EXPECT_EQ(tracker.on_status(status_of("status_wired_authorized.txt")), Verdict::pending);
    EXPECT_EQ(replay(tracker, "events_reconfigure_success.txt"), Verdict::check_status);
    EXPECT_EQ(tracker.on_status(status_of("status_wired_authorized.txt")), Verdict::authorized);
}

TEST(AuthTracker, WiredLooksAtThePortWirelessAtTheState) {
    const auto logoff = status_of("status_wired_logoff.txt");  // COMPLETED, port Unauthorized
    AuthTracker wired(AuthPolicy{});
    EXPECT_EQ(wired.on_status(logoff), Verdict::pending);
    AuthPolicy wifi;
    wifi.medium = Medium::wireless;
    AuthTracker wireless(wifi);
    EXPECT_EQ(wireless.on_status(logoff), Verdict::authorized);
}

TEST(AuthTracker, TemporaryDisableEndsOnlyAWirelessWait) {
    auto e = parse_event(
        "<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"\" auth_failures=1 duration=10 "
        "reason=WRONG_KEY");
    ASSERT_TRUE(e);
    AuthTracker wired(AuthPolicy{});
    EXPECT_EQ(wired.on_event(*e), Verdict::pending);
    AuthPolicy wifi;
    wifi.medium = Medium::wireless;
    AuthTracker wireless(wifi);
    EXPECT_EQ(wireless.on_event(*e), Verdict::failed);
    EXPECT_EQ(wireless.failure_reason(), "network temporarily disabled (reason WRONG_KEY)");
}

TEST(AuthTracker, TimeoutFailureAndTermination) {
    AuthTracker tracker(AuthPolicy{});
    auto term = parse_event("<3>CTRL-EVENT-TERMINATING ");
    ASSERT_TRUE(term);
    EXPECT_EQ(tracker.on_event(*term), Verdict::pending);
    auto timeout = parse_event(
        "<3>CTRL-EVENT-EAP-TIMEOUT-FAILURE EAP authentication failed due to no response received");
    ASSERT_TRUE(timeout);
    EXPECT_EQ(tracker.on_event(*timeout), Verdict::failed);
    EXPECT_NE(tracker.failure_reason().find("timed out"), std::string::npos);
    EXPECT_NE(tracker.failure_reason().find("wpa_supplicant terminated"), std::string::npos);
    EXPECT_EQ(tracker.on_reattached(), Verdict::check_status);
}

}  // namespace
}  // namespace lintel::wpa
