// Session against a real mosquitto: delivery in order, acks only after PUBACK, outage and
// reconnect with rewind, connect deadline, retained status and Last Will, clean stop.
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "uplink_fixture.hpp"

namespace lintel::uplink::testing {
namespace {

TEST_F(UplinkTest, PublishesBatchesInOrderAndAcksEveryOne) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto observer = observe();
    std::vector<std::string> sent;
    for (int i = 1; i <= 100; ++i) {
        sent.push_back("batch-" + std::to_string(i));
        source_.add(sent.back(), 10);
    }
    auto& s = start_session(config());
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 100; }, 20s));
    EXPECT_EQ(s.state(), LinkState::connected);
    ASSERT_TRUE(observer->wait_for_count(telemetry_topic(), 100, 10s));
    EXPECT_EQ(payloads(observer->messages_on(telemetry_topic())), sent);
    EXPECT_EQ(s.counters().telemetry.published_points, 1000u);
    EXPECT_EQ(s.counters().connects, 1u);
    EXPECT_NE(s.link_state_string().find("uplink connected to localhost:"), std::string::npos);
    EXPECT_TRUE(log_.contains("connected to the broker", sdk::LogLevel::info));
    EXPECT_EQ(source_.rewinds(), 1);  // rewind() before the first pull of the connection

    // Idle now; new data wakes it up without polling.
    sent.push_back("late");
    source_.add("late");
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 101; }, 10s));
    ASSERT_TRUE(observer->wait_for_count(telemetry_topic(), 101, 10s));
}

TEST_F(UplinkTest, AcknowledgesOnlyAfterPuback) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto& s = start_session(config());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    broker_->pause();  // nothing answers from now on
    for (int i = 0; i < 5; ++i) source_.add("held-" + std::to_string(i));
    test::run_for(io_, 500ms);
    EXPECT_EQ(source_.handed_out().size(), 5u);
    EXPECT_TRUE(source_.acked().empty());
    EXPECT_NE(s.link_state_string().find("5 in flight"), std::string::npos)
        << s.link_state_string();
    broker_->resume();
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 5; }, 10s));
}

TEST_F(UplinkTest, BrokerOutageBacksOffReconnectsAndRewinds) {
    test::TestWatchdog dog(90s);
    auto options = test::BrokerOptions::from_pki(pki_);
    options.persistence = true;
    start_broker(options);
    // A persistent (3.1.1, clean_session=false) observer: the broker queues for it across the
    // restart, so it sees every batch however the reconnects interleave.
    auto oo = test::MqttTestClientOptions::observer(pki_, broker_->port());
    oo.mqtt5 = false;
    oo.clean_session = false;
    test::MqttTestClient observer(oo);
    ASSERT_TRUE(observer.connect());
    ASSERT_TRUE(observer.subscribe(telemetry_topic(), 1));

    for (int i = 1; i <= 20; ++i) source_.add("b" + std::to_string(i));
    auto& s = start_session(config());
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 20; }, 20s));

    // Some batches in flight when the broker goes away: paused, fed, then stopped.
    broker_->pause();
    for (int i = 21; i <= 30; ++i) source_.add("b" + std::to_string(i));
    test::run_for(io_, 200ms);
    broker_->stop();
    ASSERT_TRUE(run_until_state(LinkState::backoff));
    const std::set<std::uint64_t> acked_before(source_.acked().begin(), source_.acked().end());
    EXPECT_TRUE(log_.contains("lost the connection to the broker", sdk::LogLevel::warning));
    for (int i = 31; i <= 50; ++i) source_.add("b" + std::to_string(i));
    test::run_for(io_, 1s);  // several failed attempts while it is down
    EXPECT_NE(s.state(), LinkState::connected);
    EXPECT_GE(s.counters().failed_attempts, 1u);
    EXPECT_NE(s.link_state_string().find("uplink"), std::string::npos);

    ASSERT_TRUE(broker_->start());  // same port
    ASSERT_TRUE(run_until([&] { return source_.unacked() == 0; }, 30s)) << source_.unacked();
    EXPECT_EQ(s.counters().connects, 2u);
    EXPECT_EQ(s.counters().disconnects, 1u);
    EXPECT_EQ(source_.rewinds(), 2);

    ASSERT_TRUE(observer.wait_for(
        [&](const std::vector<test::MqttMessage>& ms) {
            std::set<std::string> seen;
            for (const auto& m : ms) seen.insert(m.payload);
            return seen.size() == 50;
        },
        20s));
    // Every batch arrived, first arrivals in order. Re-sends by the session: only batches not
    // acknowledged before the outage went out twice. (The observer itself may also see QoS 1
    // redeliveries from the broker across its restart; those are not the session's.)
    std::map<std::string, int> count;
    std::vector<int> first_order;
    for (const auto& m : observer.messages_on(telemetry_topic())) {
        if (count[m.payload]++ == 0) first_order.push_back(std::stoi(m.payload.substr(1)));
    }
    std::map<std::uint64_t, int> sent;
    for (auto seq : source_.handed_out()) ++sent[seq];
    EXPECT_EQ(sent.size(), 50u);
    for (const auto& [seq, n] : sent) {
        if (acked_before.contains(seq)) {
            EXPECT_EQ(n, 1) << "seq " << seq;
        } else {
            EXPECT_LE(n, 2) << "seq " << seq;
        }
    }
    EXPECT_TRUE(std::is_sorted(first_order.begin(), first_order.end()));
    EXPECT_EQ(first_order.size(), 50u);
}

TEST_F(UplinkTest, ConnectAttemptIsAbandonedAtItsDeadline) {
    test::TestWatchdog dog(60s);
    start_broker();
    broker_->pause();  // TCP connects (kernel backlog), TLS never answers
    auto c = config();
    c.connect_timeout = 1s;
    auto& s = start_session(c);
    ASSERT_TRUE(run_until([&] { return log_.contains("no CONNACK within 1.0 s"); }, 5s));
    EXPECT_NE(s.state(), LinkState::connected);
    broker_->resume();
    ASSERT_TRUE(run_until_state(LinkState::connected, 15s));
}

TEST_F(UplinkTest, StatusIsRetainedOnlineAndLastWillMarksOfflineWhenKilled) {
    test::TestWatchdog dog(60s);
    start_broker();
    stats_.queued_points = 12;
    stats_.dropped_by_device = {{"plc-1", 3}};
    start_session(config());
    ASSERT_TRUE(run_until_state(LinkState::connected));

    auto observer = observe(status_topic());  // subscribes after the fact: gets the retained one
    ASSERT_TRUE(observer->wait_for_count(status_topic(), 1, 5s));
    auto online = observer->messages_on(status_topic()).front();
    EXPECT_TRUE(online.retain);
    auto j = nlohmann::json::parse(online.payload);
    EXPECT_EQ(j["state"], "online");
    EXPECT_EQ(j["gateway"], kGateway);
    EXPECT_EQ(j["version"], "test-1");
    EXPECT_EQ(j["queued_points"], 12);
    EXPECT_EQ(j["dropped_by_device"]["plc-1"], 3);
    EXPECT_EQ(j["connects"], 1);
    EXPECT_GT(j["since"].get<std::int64_t>(), 1600000000000);

    session_.reset();  // like a crash: socket dropped without DISCONNECT
    ASSERT_TRUE(observer->wait_for_count(status_topic(), 2, 10s));
    EXPECT_EQ(nlohmann::json::parse(observer->messages_on(status_topic()).back().payload),
              nlohmann::json::parse(R"({"state":"offline","gateway":"gw-it"})"));
    // ...and it is retained for whoever looks later.
    auto later = observe(status_topic());
    ASSERT_TRUE(later->wait_for_count(status_topic(), 1, 5s));
    EXPECT_TRUE(later->messages_on(status_topic()).front().retain);
    EXPECT_EQ(nlohmann::json::parse(later->messages_on(status_topic()).front().payload)["state"],
              "offline");
}

TEST_F(UplinkTest, StatusIsRepublishedEveryInterval) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto observer = observe(status_topic());
    auto c = config();
    c.status_interval = 1s;
    start_session(c);
    ASSERT_TRUE(run_until([&] { return observer->messages_on(status_topic()).size() >= 3; }, 10s));
    for (const auto& m : observer->messages_on(status_topic()))
        EXPECT_EQ(nlohmann::json::parse(m.payload)["state"], "online");
}

TEST_F(UplinkTest, CleanStopPublishesOfflineAndDisconnects) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto observer = observe(status_topic());
    auto& s = start_session(config());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    ASSERT_TRUE(observer->wait_for_count(status_topic(), 1, 5s));

    bool done = false;
    std::vector<LinkState> states;
    s.on_state_change([&](LinkState st, std::string_view) { states.push_back(st); });
    s.async_stop(5s, [&] { done = true; });
    ASSERT_TRUE(run_until([&] { return done; }, 10s));
    EXPECT_EQ(s.state(), LinkState::stopped);
    EXPECT_EQ(states, (std::vector<LinkState>{LinkState::stopping, LinkState::stopped}));
    ASSERT_TRUE(observer->wait_for_count(status_topic(), 2, 5s));
    EXPECT_EQ(nlohmann::json::parse(observer->messages_on(status_topic()).back().payload)["state"],
              "offline");
    // A clean DISCONNECT: mosquitto logs "disconnected." (not "closed its connection") and
    // publishes no Will, so exactly one offline message arrives.
    EXPECT_TRUE(broker_->wait_for_log(std::string("Client ") + kGateway + " disconnected.", 5s))
        << broker_->log();
    test::run_for(io_, 300ms);
    EXPECT_EQ(observer->messages_on(status_topic()).size(), 2u);
    EXPECT_FALSE(log_.contains("not acknowledged in time"));

    bool again = false;  // stopping twice is harmless
    s.async_stop(1s, [&] { again = true; });
    ASSERT_TRUE(run_until([&] { return again; }, 2s));
}

TEST_F(UplinkTest, StopWithAHungBrokerFallsBackToTheWillAtTheDeadline) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto& s = start_session(config());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    broker_->pause();
    bool done = false;
    const auto t0 = std::chrono::steady_clock::now();
    s.async_stop(500ms, [&] { done = true; });
    ASSERT_TRUE(run_until([&] { return done; }, 5s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    EXPECT_TRUE(log_.contains("not acknowledged in time", sdk::LogLevel::warning));
    broker_->resume();
}

TEST_F(UplinkTest, WorksWithMqtt311) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto observer = observe();
    source_.add("over-3.1.1");
    auto c = config();
    c.protocol = MqttProtocol::mqtt311;
    start_session(c);
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 1; }, 10s));
    ASSERT_TRUE(observer->wait_for_count(telemetry_topic(), 1, 5s));
}

TEST_F(UplinkTest, RepeatedFailuresAreLoggedOnceThenEveryTenth) {
    test::TestWatchdog dog(60s);
    auto c = config();  // no broker: the port is closed
    c.reconnect.initial = 10ms;
    c.reconnect.max = 20ms;
    auto& s = start_session(c);
    ASSERT_TRUE(run_until([&] { return s.counters().failed_attempts >= 12; }, 20s));
    EXPECT_EQ(log_.count("uplink: cannot connect to the broker", sdk::LogLevel::warning), 1u);
    EXPECT_GE(log_.count("still cannot connect to the broker", sdk::LogLevel::warning), 1u);
    EXPECT_LE(log_.count("still cannot connect to the broker", sdk::LogLevel::warning),
              s.counters().failed_attempts / 10);
    EXPECT_TRUE(log_.contains("connection refused")) << "the reason names the socket error";
    EXPECT_NE(s.link_state_string().find("connection refused"), std::string::npos)
        << s.link_state_string();
}

}  // namespace
}  // namespace lintel::uplink::testing
