// The command channel's transport: the session subscribes to {prefix}/{gateway}/cmd on every
// connection and hands what arrives to its handler; a broker that refuses the subscription is
// reported. (What a command means is the commands module's business, tested there.)
#include "uplink_fixture.hpp"

namespace lintel::uplink::testing {
namespace {

std::string command_topic() { return std::string("lintel/v1/") + kGateway + "/cmd"; }

TEST_F(UplinkTest, CommandsArriveAndTheSubscriptionSurvivesAReconnect) {
    start_broker();
    std::vector<MqttMessage> got;
    auto& s = make_session(config());
    s.on_command([&](const MqttMessage& m) { got.push_back(m); });
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    ASSERT_TRUE(run_until([&] { return log_.contains("subscribed to commands"); }, 5s));
    EXPECT_EQ(s.topics().commands, command_topic());

    auto cloud = observe("nothing/#");
    ASSERT_TRUE(cloud->publish(command_topic(), "first", 1));
    ASSERT_TRUE(run_until([&] { return got.size() == 1; }, 5s));
    EXPECT_EQ(got[0].payload, "first");
    EXPECT_EQ(got[0].topic, command_topic());
    EXPECT_EQ(got[0].qos, 1);
    EXPECT_FALSE(got[0].retain);

    // A clean start loses subscriptions: after the broker's restart the session asks again.
    broker_->stop();
    ASSERT_TRUE(run_until_state(LinkState::backoff));
    ASSERT_TRUE(broker_->start());
    ASSERT_TRUE(run_until_state(LinkState::connected, 15s));
    ASSERT_TRUE(run_until(
        [&] {
            std::size_t n = 0;
            for (const auto& l : log_.lines())
                n += l.message.find("subscribed to commands") != std::string::npos;
            return n >= 2;
        },
        5s));
    cloud = observe("nothing/#");
    ASSERT_TRUE(cloud->publish(command_topic(), "second", 1));
    ASSERT_TRUE(run_until([&] { return got.size() == 2; }, 5s));
    EXPECT_EQ(got[1].payload, "second");
}

TEST_F(UplinkTest, NoHandlerMeansNoSubscription) {
    start_broker();
    auto& s = start_session(config());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    auto cloud = observe("nothing/#");
    ASSERT_TRUE(cloud->publish(command_topic(), "ignored", 1));
    // The broker log shows every SUBSCRIBE it received; the gateway sent none.
    ASSERT_TRUE(run_until(
        [&] { return broker_->log().find("Received PUBLISH from observer") != std::string::npos; },
        5s));
    EXPECT_EQ(broker_->log().find("Received SUBSCRIBE from " + std::string(kGateway)),
              std::string::npos)
        << broker_->log();
    EXPECT_EQ(s.state(), LinkState::connected);
}

// mosquitto 2.0 grants every SUBSCRIBE and filters deliveries by ACL instead, so a refusal
// (SUBACK 0x87, as AWS IoT Core sends) comes from a scripted client here.
class RefusingClient final : public MqttClient {
public:
    RefusingClient(asio::any_io_executor ex, MqttEvents events)
        : ex_(std::move(ex)), events_(std::move(events)) {}
    Expected<void> connect() override {
        asio::post(ex_, [e = events_] { e.on_connect(MqttResult{0, "accepted"}); });
        return {};
    }
    Expected<int> publish(std::string_view, std::string_view, int, bool) override {
        const int mid = ++mid_;
        asio::post(ex_, [e = events_, mid] { e.on_publish(mid, MqttResult{0, "success"}); });
        return mid;
    }
    Expected<int> subscribe(std::string_view, int) override {
        const int mid = ++mid_;
        asio::post(ex_, [e = events_, mid] { e.on_subscribe(mid, {0x87}); });
        return mid;
    }
    Expected<void> disconnect() override {
        asio::post(ex_, [e = events_] { e.on_disconnect(MqttResult{0, "disconnected"}); });
        return {};
    }

private:
    asio::any_io_executor ex_;
    MqttEvents events_;
    int mid_ = 0;
};

TEST_F(UplinkTest, RefusedSubscriptionIsReportedAndTheLinkStaysUp) {
    MqttClientFactory factory = [](asio::any_io_executor ex, const MqttClientOptions&,
                                   MqttEvents events,
                                   sdk::Logger&) -> Expected<std::unique_ptr<MqttClient>> {
        return std::unique_ptr<MqttClient>(std::make_unique<RefusingClient>(ex, events));
    };
    session_ = std::make_unique<Session>(
        io_.get_executor(), config(), source_, log_, [this] { return stats_; }, factory);
    session_->on_command([](const MqttMessage&) {});
    ASSERT_TRUE(session_->start());
    ASSERT_TRUE(run_until_state(LinkState::connected));
    ASSERT_TRUE(
        run_until([&] { return log_.contains("broker refused the command subscription"); }, 5s));
    EXPECT_TRUE(log_.contains("CODE=0x87"));
    EXPECT_EQ(session_->state(), LinkState::connected);
}

}  // namespace
}  // namespace lintel::uplink::testing
