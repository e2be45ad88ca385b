// Unit tests of the mqtt driver's pure parts: topic filter syntax and matching, device config.
#include <gtest/gtest.h>

#include <string>

#include "core/yaml_loader.hpp"
#include "mqtt_config.hpp"
#include "topic.hpp"

namespace lintel::mqttdev {
namespace {

TEST(MqttTopic, FilterSyntax) {
    EXPECT_FALSE(check_filter("sensors/+/state"));
    EXPECT_FALSE(check_filter("sensors/#"));
    EXPECT_FALSE(check_filter("#"));
    EXPECT_TRUE(check_filter(""));
    EXPECT_TRUE(check_filter("sensors/a+/state"));
    EXPECT_TRUE(check_filter("sensors/#/state"));
    EXPECT_TRUE(check_topic("plugs/+/set"));
    EXPECT_FALSE(check_topic("plugs/kitchen/set"));
}

TEST(MqttTopic, Matching) {
    EXPECT_TRUE(topic_matches("sensors/+/state", "sensors/kitchen/state"));
    EXPECT_FALSE(topic_matches("sensors/+/state", "sensors/kitchen/state/x"));
    EXPECT_FALSE(topic_matches("sensors/+/state", "sensors/state"));
    EXPECT_TRUE(topic_matches("sensors/#", "sensors/a/b/c"));
    EXPECT_TRUE(topic_matches("sensors/#", "sensors"));
    EXPECT_TRUE(topic_matches("a//b", "a//b"));
    EXPECT_TRUE(topic_matches("+/+", "/x"));
    EXPECT_FALSE(topic_matches("#", "$SYS/broker/uptime"));
    EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/broker/uptime"));
}

std::optional<DeviceConfig> parse(const std::string& yaml, std::string* errors_out = nullptr) {
    sdk::ConfigErrors errors;
    auto root = core::load_yaml_string(yaml, "sensor.yaml", errors);
    std::optional<DeviceConfig> config;
    if (root) config = parse_device_config(*root, errors);
    if (errors_out != nullptr) *errors_out = errors.to_string();
    return config;
}

std::string errors_of(const std::string& yaml) {
    std::string errors;
    EXPECT_FALSE(parse(yaml, &errors));
    return errors;
}

TEST(MqttConfig, DefaultsAndKeys) {
    auto d = parse("host: 10.0.0.2\npoints:\n  - {name: t, topic: a/b, pointer: /t}\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->port, 1883);
    EXPECT_FALSE(d->tls);
    EXPECT_EQ(d->keepalive, std::chrono::seconds(30));
    auto t = parse(R"(
host: broker.lan
tls: {ca_file: /etc/lintel/lan-ca.pem}
client_id: gw-1
username: lintel
password_file: /etc/lintel/secrets/lan-broker.pass
write: {topic: dev/set, payload: '{"{{point}}": {{value}}}'}
points:
  - {name: t, topic: "dev/#", pointer: /t, stale_after: 5m, writable: true}
)");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->port, 8883);
    EXPECT_EQ(t->client_id, "gw-1");
    EXPECT_EQ(t->points[0].stale_after, std::chrono::minutes(5));
    ASSERT_NE(t->write_for(t->points[0]), nullptr);
    EXPECT_EQ(t->write_for(t->points[0])->qos, 1);
}

TEST(MqttConfig, Errors) {
    EXPECT_NE(errors_of("host: h\npoints:\n  - {name: t, topic: a/#/b, pointer: /t}\n")
                  .find("'#' must be the last topic level"),
              std::string::npos);
    EXPECT_NE(errors_of("host: h\npoints:\n  - {name: t, topic: a, pointer: /t, writable: true, "
                        "write: {topic: a/+, payload: x}}\n")
                  .find("must not contain '+' or '#'"),
              std::string::npos);
    EXPECT_NE(errors_of("host: h\npoints:\n  - {name: t, topic: a, pointer: /t, writable: true, "
                        "write: {topic: a, payload: x, qos: 2}}\n")
                  .find("qos"),
              std::string::npos);
    EXPECT_NE(
        errors_of("host: h\npassword_file: /p\npoints:\n  - {name: t, topic: a, pointer: /t}\n")
            .find("needs a username"),
        std::string::npos);
    EXPECT_NE(errors_of("host: h\npoints:\n  - {name: t, pointer: /t}\n").find("topic"),
              std::string::npos);
    EXPECT_NE(
        errors_of("host: h\npoints:\n  - {name: t, topic: a, pointer: /t, stale_after: 10ms}\n")
            .find("stale_after"),
        std::string::npos);
}

}  // namespace
}  // namespace lintel::mqttdev
