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
#include "support/pki.hpp"
#include "support/process.hpp"
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
    // A plain, anonymous LAN broker; the TLS + password test changes both.
    virtual lintel::test::BrokerOptions broker_options() {
        lintel::test::BrokerOptions options;
        options.plain = true;
        return options;
    }
    virtual void peer_options(lintel::test::MqttTestClientOptions&) {}

    void SetUp() override {
        broker_.emplace(dir_ / "broker", broker_options());
        std::filesystem::create_directories(dir_ / "broker");
        auto started = broker_->start();
        ASSERT_TRUE(started) << started.error().message;
        lintel::test::MqttTestClientOptions o;
        o.host = "127.0.0.1";
        o.port = broker_->port();
        o.client_id = "sensor-sim";
        o.mqtt5 = false;
        peer_options(o);
        peer_.emplace(o);
        ASSERT_TRUE(peer_->connect());
        ASSERT_TRUE(peer_->subscribe("plugs/kitchen/+"));
    }

    std::unique_ptr<sdk::Device> make(const std::string& extra = "",
                                      const std::string& host = "127.0.0.1") {
        const std::string yaml = "host: " + host + "\nport: " + std::to_string(broker_->port()) +
                                 "\n" + extra + k_points;
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

// A LAN broker with TLS (server certificate only) and a password file, as a building's own
// broker often is: the device verifies the broker against its CA and logs in with the user name
// and the password from a 0600 file; a wrong password or another CA leaves it down, with the
// reason and without the password in any log line.
class MqttLanTlsTest : public MqttDeviceTest {
protected:
    static void SetUpTestSuite() {
        pki_dir_.emplace("lintel-mqttdev-pki");
        auto generated = lintel::test::Pki::generate(pki_dir_->path() / "pki", "gw-mqtt");
        ASSERT_TRUE(generated) << generated.error().message;
        pki_ = *generated;
    }
    static void TearDownTestSuite() { pki_dir_.reset(); }

    void SetUp() override {
        std::filesystem::create_directories(dir_ / "broker");
        for (const auto& [user, password] :
             {std::pair{"sensor", "sensor-pw"}, std::pair{"lintel", k_password}}) {
            std::vector<std::string> argv{"mosquitto_passwd", "-b"};
            if (!std::filesystem::exists(passwords())) argv.push_back("-c");
            argv.insert(argv.end(), {passwords().string(), user, password});
            auto p = lintel::test::Process::spawn(lintel::test::ProcessOptions::of(argv));
            ASSERT_TRUE(p) << p.error().message;
            auto st = p->wait_exit(10s);
            ASSERT_TRUE(st && st->exited && st->code == 0) << "mosquitto_passwd failed";
        }
        MqttDeviceTest::SetUp();
    }

    lintel::test::BrokerOptions broker_options() override {
        auto options = MqttDeviceTest::broker_options();
        options.lan_tls = true;
        options.server = pki_.server;
        options.password_file = passwords();
        return options;
    }
    void peer_options(lintel::test::MqttTestClientOptions& o) override {
        o.host = "localhost";
        o.ca_cert = pki_.ca_cert;
        o.username = "sensor";
        o.password = "sensor-pw";
    }

    std::filesystem::path passwords() const { return dir_ / "broker-passwords"; }
    std::string device_tls(const std::filesystem::path& ca, const std::string& password) {
        const auto file = dir_ / ("pass-" + std::to_string(++files_));
        EXPECT_TRUE(lintel::test::write_file(file, password + "\n", 0600));
        return "tls: {ca_file: " + ca.string() +
               "}\nusername: lintel\npassword_file: " + file.string() + "\n";
    }
    bool no_log_has(const std::string& secret) const { return !host_.logs().contains(secret); }

    static constexpr const char* k_password = "lan-broker-s3cret";
    static inline std::optional<lintel::test::TempDir> pki_dir_;
    static inline lintel::test::Pki pki_;
    int files_ = 0;
};

TEST_F(MqttLanTlsTest, VerifiesTheBrokerAndLogsInWithThePasswordFile) {
    auto device = make(device_tls(pki_.ca_cert, k_password), "localhost");
    ASSERT_TRUE(device);
    device->start();
    ASSERT_TRUE(first_value_arrives());
    EXPECT_EQ(host_.health(), Health::ok);
    EXPECT_TRUE(no_log_has(k_password));
    stop_and_drain(*device);
}

TEST_F(MqttLanTlsTest, AWrongPasswordOrAnotherCaIsDownWithTheReason) {
    auto wrong = make(device_tls(pki_.ca_cert, "not-the-password"), "localhost");
    ASSERT_TRUE(wrong);
    wrong->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_TRUE(host_.logs().wait_for("mqtt.refused", 5s)) << "the broker's refusal, by name";
    EXPECT_TRUE(no_log_has("not-the-password"));
    stop_and_drain(*wrong);

    host_.health_reports.clear();
    auto rogue = make(device_tls(pki_.rogue_ca.cert, k_password), "localhost");
    ASSERT_TRUE(rogue);
    rogue->start();
    ASSERT_TRUE(run_until([&] { return host_.health() == Health::down; }));
    EXPECT_TRUE(host_.logs().wait_for("broker certificate rejected", 5s));
    EXPECT_FALSE(host_.has_good("temp"));
    EXPECT_TRUE(no_log_has(k_password));
    stop_and_drain(*rogue);
}

}  // namespace
}  // namespace lintel::mqttdev
