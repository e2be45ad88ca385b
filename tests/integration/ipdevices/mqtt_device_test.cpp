// Integration tests: the mqtt device against a real mosquitto (plain listener on a free loopback
// port) with a test client playing the Wi-Fi devices: mapping, wildcards, bad payloads, stale
// points, broker loss, writes end to end.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <optional>

#include "core/yaml_loader.hpp"
#include "mqtt_driver.hpp"
#include "support/asio_run.hpp"
#include "support/device_test_loop.hpp"
#include "support/fake_device_host.hpp"
#include "support/files.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/wait.hpp"
#include "support/watchdog.hpp"

namespace lintel::mqttdev {
namespace {

using namespace std::chrono_literals;
using lintel::test::FakeHost;
using sdk::Health;
using sdk::Quality;
using sdk::Value;

const std::string k_points = R"(
points:
  - {name: temp, topic: sensors/+/state, pointer: /temp, unit: degC, stale_after: 1s}
  - {name: humidity, topic: sensors/+/state, pointer: /hum}
  - {name: battery, topic: sensors/kitchen/battery, pointer: "", type: int}
  - name: relay
    topic: plugs/kitchen/state
    pointer: /on
    type: bool
    writable: true
    write: {topic: plugs/kitchen/set, payload: '{"on": {{value}}, "by": "{{device}}"}', qos: 1}
  - name: mode
    topic: plugs/kitchen/state
    pointer: /mode
    type: string
    writable: true
    write: {topic: plugs/kitchen/mode, payload: '{{text}}', qos: 0}
)";

class MqttDeviceTest : public ::testing::Test {
protected:
    void SetUp() override {
        lintel::test::BrokerOptions options;
        options.plain = true;
        broker_.emplace(dir_ / "broker", options);
        std::filesystem::create_directories(dir_ / "broker");
        auto started = broker_->start();
        ASSERT_TRUE(started) << started.error().message;
        lintel::test::MqttTestClientOptions o;
        o.host = "127.0.0.1";
        o.port = broker_->port();
        o.client_id = "sensor-sim";
        o.mqtt5 = false;
        peer_.emplace(o);
        ASSERT_TRUE(peer_->connect());
        ASSERT_TRUE(peer_->subscribe("plugs/kitchen/+"));
    }

    std::unique_ptr<sdk::Device> make(const std::string& extra = "") {
        const std::string yaml =
            "host: 127.0.0.1\nport: " + std::to_string(broker_->port()) + "\n" + extra + k_points;
        sdk::ConfigErrors errors;
        auto root = core::load_yaml_string(yaml, "devices.d/kitchen.yaml", errors);
        std::unique_ptr<sdk::Device> device;
        if (root) device = driver_.create(sdk::DeviceSpec{"kitchen", *root}, host_, errors);
        EXPECT_TRUE(device) << errors.to_string();
        return device;
    }

    bool run_until(const std::function<bool()>& predicate,
                   std::chrono::milliseconds timeout = 10s) {
        return lintel::test::run_until(io_, predicate, timeout);
    }

    // The SUBACK may trail the CONNACK: the sensor publishes until its first value is mapped.
    bool first_value_arrives() {
        return run_until([&] {
            send("sensors/kitchen/state", R"({"temp":21.5,"hum":40})");
            return lintel::test::run_until(
                io_, [&] { return host_.has_good("temp"); }, 300ms);
        });
    }

    void send(const std::string& topic, const std::string& payload) {
        ASSERT_TRUE(peer_->publish(topic, payload, 1));
    }

    Expected<void> write(sdk::Device& device, const std::string& point, Value value) {
        return lintel::test::write_and_wait(io_, device, point, value);
    }

    void stop_and_drain(sdk::Device& device) { lintel::test::stop_and_drain(io_, device); }

    lintel::test::TempDir dir_{"lintel-mqttdev"};
    std::optional<lintel::test::MosquittoBroker> broker_;
    std::optional<lintel::test::MqttTestClient> peer_;
    asio::io_context io_;
    lintel::test::TestWatchdog dog_{90s, [this] { io_.stop(); }};
    FakeHost host_{io_, "kitchen"};
    MqttDriver driver_;
};

TEST_F(MqttDeviceTest, MapsMessagesFromWildcardTopics) {
    auto device = make();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));
    ASSERT_TRUE(first_value_arrives());
    EXPECT_EQ(host_.latest("temp")->value, Value(21.5));
    EXPECT_EQ(host_.latest("temp")->unit, "degC");
    EXPECT_EQ(host_.latest("humidity")->value, Value(40.0));
    send("sensors/hall/state", R"({"temp":19,"hum":45})");  // '+' matches any sensor
    ASSERT_TRUE(run_until([&] { return host_.latest("temp")->value == Value(19.0); }));
    send("sensors/kitchen/battery", "87");
    ASSERT_TRUE(run_until([&] { return host_.has_good("battery"); }));
    EXPECT_EQ(host_.latest("battery")->value, Value(std::int64_t{87}));
    EXPECT_FALSE(host_.latest("relay"));  // its topic got nothing yet
    stop_and_drain(*device);
}

TEST_F(MqttDeviceTest, BadPayloadsAreErrorsAndTheDeviceKeepsGoing) {
    auto device = make();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(first_value_arrives());
    send("sensors/kitchen/state", "not json");
    ASSERT_TRUE(run_until([&] { return host_.latest_is("temp", Quality::error); }));
    EXPECT_EQ(host_.health(), Health::degraded);
    EXPECT_TRUE(host_.logs().contains("ERROR=mapping.not_json"));
    send("sensors/kitchen/state", R"({"temp":"warm"})");
    ASSERT_TRUE(run_until([&] { return host_.logs().contains("ERROR=mapping.missing"); }));
    EXPECT_TRUE(host_.logs().contains("value at /temp is a string, expected float"));
    send("sensors/kitchen/state", R"({"temp":22,"hum":41})");
    ASSERT_TRUE(run_until([&] { return host_.has_good("temp") && host_.health() == Health::ok; }));
    stop_and_drain(*device);
}

TEST_F(MqttDeviceTest, QuietTopicGoesStaleOnceThenRecovers) {
    auto device = make();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(first_value_arrives());
    ASSERT_TRUE(run_until([&] { return host_.latest_is("temp", Quality::stale); }, 5s));
    EXPECT_EQ(host_.latest("temp")->value, Value(21.5));        // the last value, marked stale
    EXPECT_FALSE(host_.latest_is("humidity", Quality::stale));  // no stale_after
    lintel::test::run_for(io_, 1500ms);
    EXPECT_EQ(host_.count("temp", Quality::stale), 1U);  // once, not per check
    send("sensors/kitchen/state", R"({"temp":23,"hum":40})");
    ASSERT_TRUE(run_until([&] { return host_.has_good("temp"); }));
    stop_and_drain(*device);
}

TEST_F(MqttDeviceTest, BrokerLossIsDownAndReconnects) {
    auto device = make();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));
    broker_->stop();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    ASSERT_TRUE(broker_->start());
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }, 15s));
    EXPECT_GE(host_.reports_of(Health::ok), 2U);
    stop_and_drain(*device);
}

TEST_F(MqttDeviceTest, WritesPublishToTheDeviceTopic) {
    auto device = make();
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::ok; }));
    ASSERT_TRUE(write(*device, "relay", Value(true)));
    ASSERT_TRUE(write(*device, "mode", Value(std::string("eco"))));
    ASSERT_TRUE(lintel::test::wait_until(
        [&] { return peer_->messages_on("plugs/kitchen/mode").size() == 1; }, 5s));
    const auto set = peer_->messages_on("plugs/kitchen/set");
    ASSERT_EQ(set.size(), 1U);
    EXPECT_EQ(set[0].payload, R"({"on": true, "by": "kitchen"})");
    EXPECT_FALSE(set[0].retain);
    EXPECT_EQ(peer_->messages_on("plugs/kitchen/mode")[0].payload, "eco");
    EXPECT_EQ(write(*device, "temp", Value(1.0)).error().code, "write.not_writable");
    EXPECT_EQ(write(*device, "nope", Value(1.0)).error().code, "mqtt.unknown_point");
    EXPECT_EQ(write(*device, "relay", Value(std::int64_t{1})).error().code, "write.type");
    broker_->stop();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_EQ(write(*device, "relay", Value(false)).error().code, "mqtt.not_connected");
    stop_and_drain(*device);
}

}  // namespace
}  // namespace lintel::mqttdev
