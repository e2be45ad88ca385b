// Integration tests: COV against the simulated device: changes delivered by notification without
// polling, confirmed notifications acknowledged, renewal before expiry, polling when the device
// refuses COV or acknowledges it but stops notifying, resubscription after a restart (announced
// by I-Am, or found by the renewal).
#include "bacnet_fixture.hpp"

namespace lintel::bacnet::test {
namespace {

using sdk::Value;

const std::string kTemp = "  - {name: temp, object: AI:1}\n";

std::size_t subscriptions(BacnetDevice& sim) {
    return nlohmann::json::parse(sim.must("subs")).size();
}

TEST_F(BacnetPluginTest, CovDeliversChangesWithoutPolling) {
    SKIP_WITHOUT_SIMULATOR();
    // No poll for an hour: whatever arrives comes by notification.
    auto r = rig("poll_interval: 1h\ncov_lifetime: 1h\n", kTemp, "temp");
    ASSERT_TRUE(r.ready);
    auto& sim = r.sim;
    auto& host = *r.host;
    auto& device = r.device;
    const auto subs = json(sim->must("subs"));
    ASSERT_EQ(subs.size(), 1U) << subs.dump();
    EXPECT_EQ(subs[0]["object"], "AI:1");
    EXPECT_EQ(subs[0]["confirmed"], false);
    EXPECT_EQ(subs[0]["lifetime"], 3600);
    EXPECT_EQ(subs[0]["subscriber"], local());
    EXPECT_EQ(host.latest("temp")->unit, "°C");

    sim->must("set AI:1 22.5");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{22.5}); }));
    // Present-value is never polled: the one ReadPropertyMultiple read the units at start.
    EXPECT_LE(requests(*sim, "readPropertyMultiple"), 1);
    EXPECT_EQ(requests(*sim, "readProperty"), 0);
    ASSERT_TRUE(run_until([&] { return host.health() == sdk::Health::ok; }));
    EXPECT_FALSE(host.logs().contains("no COV notification"));
    EXPECT_NE(host.health_reports.back().detail.find("1 by COV"), std::string::npos)
        << host.health_reports.back().detail;

    // Out of service reaches the quality by notification too.
    sim->must("oos AI:1 on");
    ASSERT_TRUE(run_until([&] { return host.latest_is("temp", sdk::Quality::stale); }));
    // Stopping cancels the subscription at the device.
    stop_and_drain(*device);
    EXPECT_TRUE(lintel::test::wait_until([&] { return subscriptions(*sim) == 0; }, 5s))
        << sim->must("subs");
}

TEST_F(BacnetPluginTest, ConfirmedNotificationsAreAcknowledged) {
    SKIP_WITHOUT_SIMULATOR();
    auto sim = start_sim();
    ASSERT_TRUE(sim);
    FakeHost host(io_, "ahu");
    auto device =
        started(host, by_address(*sim, "poll_interval: 1h\ncov_confirmed: true\n", kTemp));
    ASSERT_TRUE(device);
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{21.0}); }));
    sim->must("set AI:1 24");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{24.0}); }));
    ASSERT_TRUE(run_until([&] { return std::stoi(sim->must("acks")) >= 2; }, 5s));
    EXPECT_EQ(json(sim->must("subs"))[0]["confirmed"], true);
    EXPECT_EQ(json(sim->must("stats"))["unacked"], 0);
    stop_and_drain(*device);
}

TEST_F(BacnetPluginTest, RenewsBeforeTheLifetimeRunsOutAndAfterASilentRestart) {
    SKIP_WITHOUT_SIMULATOR();
    auto r = rig("poll_interval: 1h\ncov_lifetime: 2s\n", kTemp, "temp");
    ASSERT_TRUE(r.ready);
    auto& sim = r.sim;
    auto& host = *r.host;
    auto& device = r.device;
    // Renewed every 2/3 of 2 s: the subscription never lapses (the device would drop it).
    for (int renewals = 0; renewals < 2;) {
        const int before = requests(*sim, "subscribeCov");
        ASSERT_TRUE(run_until([&] { return requests(*sim, "subscribeCov") > before; }, 3s));
        EXPECT_EQ(subscriptions(*sim), 1U);
        ++renewals;
    }
    // A restart that forgets the subscription without saying so: the next renewal fixes it.
    sim->must("restart");
    EXPECT_EQ(subscriptions(*sim), 0U);
    ASSERT_TRUE(run_until([&] { return subscriptions(*sim) == 1; }, 3s));
    sim->must("set AI:1 25");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{25.0}); }));
    stop_and_drain(*device);
}

TEST_F(BacnetPluginTest, ResubscribesWhenTheDeviceAnnouncesARestart) {
    SKIP_WITHOUT_SIMULATOR();
    // A lifetime of an hour: only the I-Am can bring the subscription back soon.
    auto r = rig("poll_interval: 1h\ncov_lifetime: 1h\n", kTemp, "temp");
    ASSERT_TRUE(r.ready);
    auto& sim = r.sim;
    auto& host = *r.host;
    auto& device = r.device;
    sim->must("restart iam");
    ASSERT_TRUE(run_until([&] { return subscriptions(*sim) == 1; }, 5s)) << sim->must("stats");
    EXPECT_TRUE(host.logs().contains("announced itself (I-Am)"));
    sim->must("set AI:1 26");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{26.0}); }));
    stop_and_drain(*device);
}

TEST_F(BacnetPluginTest, PollsObjectsWhoseSubscriptionIsRefused) {
    SKIP_WITHOUT_SIMULATOR();
    BacnetDeviceOptions options;
    options.no_cov = true;
    auto r = rig("", kTemp, "temp", options);
    ASSERT_TRUE(r.ready);
    auto& sim = r.sim;
    auto& host = *r.host;
    auto& device = r.device;
    EXPECT_TRUE(host.logs().contains("refused COV for AI:1"));
    sim->must("set AI:1 18");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{18.0}); }));
    EXPECT_GT(requests(*sim, "readPropertyMultiple"), 1);
    // Asked once per lifetime (10 min by default), not every poll.
    EXPECT_EQ(requests(*sim, "subscribeCov"), 1);
    stop_and_drain(*device);
}

TEST_F(BacnetPluginTest, PollsAnObjectWhoseNotificationsStopUntilTheyComeBack) {
    SKIP_WITHOUT_SIMULATOR();
    // Renewed every ~1.3 s; a renewal must be followed by a notification (13.14.1.1.5).
    auto r = rig("cov_lifetime: 2s\n", kTemp, "temp");
    ASSERT_TRUE(r.ready);
    auto& sim = r.sim;
    auto& host = *r.host;
    auto& device = r.device;
    ASSERT_TRUE(run_until([&] { return host.health() == sdk::Health::ok; }));
    const int polls_while_notified = requests(*sim, "readPropertyMultiple");

    // The device keeps acknowledging SubscribeCOV but sends nothing any more.
    sim->must("cov-notify off");
    ASSERT_TRUE(
        run_until([&] { return host.logs().contains("no COV notification for AI:1"); }, 5s));

    sim->must("set AI:1 19");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{19.0}); }));
    EXPECT_GT(requests(*sim, "readPropertyMultiple"), polls_while_notified + 1);
    EXPECT_EQ(subscriptions(*sim), 1U) << "the subscription is still renewed while polling";

    // Notifications come back: the next renewal's notification ends the polling.
    sim->must("cov-notify on");
    ASSERT_TRUE(
        run_until([&] { return host.logs().contains("COV notifications for AI:1 of"); }, 5s));

    sim->must("clear");
    sim->must("set AI:1 20");
    ASSERT_TRUE(run_until([&] { return is(host, "temp", Value{20.0}); }));
    run_for(1s);  // five poll intervals
    EXPECT_EQ(requests(*sim, "readPropertyMultiple"), 0) << sim->must("stats");
    stop_and_drain(*device);
}

}  // namespace
}  // namespace lintel::bacnet::test
