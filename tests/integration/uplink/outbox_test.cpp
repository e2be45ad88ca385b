// Control messages (results, audit, events) through commands.db's outbox: published on their
// own topics before telemetry, deleted only after the broker's PUBACK, kept across an outage.
#include "store/command_store.hpp"
#include "uplink_fixture.hpp"

namespace lintel::uplink::testing {
namespace {

class OutboxTest : public UplinkTest {
protected:
    void SetUp() override {
        UplinkTest::SetUp();
        store::CommandDbOptions o;
        o.path = dir_.path() / "commands.db";
        auto s = store::CommandStore::start(o, io_.get_executor(), log_);
        ASSERT_TRUE(s) << s.error().message;
        store_ = std::move(*s);
    }
    void TearDown() override {
        session_.reset();
        if (store_) store_->stop();
    }
    std::size_t queued() {
        std::optional<std::size_t> n;
        store_->stats([&](Expected<store::CommandDbStats> s) { n = s ? s->outbox_messages : 999; });
        run_until([&] { return n.has_value(); }, 5s);
        return n.value_or(999);
    }
    std::string topic(const std::string& suffix) const {
        return std::string("lintel/v1/") + kGateway + "/" + suffix;
    }

    std::unique_ptr<store::CommandStore> store_;
};

TEST_F(OutboxTest, MessagesGoOutOnTheirTopicsAndLeaveOnlyAfterPuback) {
    start_broker();
    auto cloud = observe();
    auto& s = make_session(config());
    s.attach_outbox(*store_);
    store_->enqueue("audit", R"({"n":1})");
    store_->enqueue("cmd/result", "jws.result.here");
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(
        run_until([&] { return cloud->messages_on(topic("cmd/result")).size() == 1; }, 10s));
    ASSERT_EQ(cloud->messages_on(topic("audit")).size(), 1U);
    EXPECT_EQ(cloud->messages_on(topic("audit"))[0].payload, R"({"n":1})");
    EXPECT_EQ(cloud->messages_on(topic("cmd/result"))[0].payload, "jws.result.here");
    ASSERT_TRUE(run_until([&] { return queued() == 0; }, 5s)) << "acknowledged, so deleted";

    // Queued while connected: goes out at once (the store wakes the pump).
    store_->enqueue("events", R"({"event":"x"})");
    ASSERT_TRUE(run_until([&] { return cloud->messages_on(topic("events")).size() == 1; }, 5s));
}

TEST_F(OutboxTest, AnOutageKeepsThemUntilTheBrokerIsBack) {
    start_broker();
    auto& s = make_session(config());
    s.attach_outbox(*store_);
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    broker_->stop();
    ASSERT_TRUE(run_until_state(LinkState::backoff));
    for (int i = 0; i < 5; ++i) store_->enqueue("audit", "record " + std::to_string(i));
    ASSERT_TRUE(run_until([&] { return queued() == 5; }, 5s));
    ASSERT_TRUE(broker_->start());
    auto cloud = observe();
    ASSERT_TRUE(run_until_state(LinkState::connected, 15s));
    ASSERT_TRUE(run_until([&] { return cloud->messages_on(topic("audit")).size() == 5; }, 10s));
    const auto got = payloads(cloud->messages_on(topic("audit")));
    EXPECT_EQ(got.front(), "record 0");
    EXPECT_EQ(got.back(), "record 4");
    ASSERT_TRUE(run_until([&] { return queued() == 0; }, 5s));
}

}  // namespace
}  // namespace lintel::uplink::testing
