// UplinkConfig::validate: defaults plus the required fields pass; each bad value names its key.
#include <gtest/gtest.h>

#include "uplink/uplink_config.hpp"

namespace lintel::uplink {
namespace {

using namespace std::chrono_literals;

UplinkConfig valid() {
    UplinkConfig c;
    c.gateway_id = "gw-001";
    c.tls.ca_file = "/etc/lintel/ca.crt";
    c.tls.cert_file = "/etc/lintel/gw.crt";
    c.tls.key_file = "/etc/lintel/gw.key";
    return c;
}

void expect_invalid(const UplinkConfig& c, const std::string& key) {
    auto r = c.validate();
    ASSERT_FALSE(r) << key;
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
}

TEST(UplinkConfig, DefaultsAreSane) {
    UplinkConfig c = valid();
    EXPECT_TRUE(c.validate());
    EXPECT_EQ(c.port, 8883);
    EXPECT_EQ(c.protocol, MqttProtocol::mqtt5);
    EXPECT_EQ(c.topic_prefix, "lintel/v1");
    EXPECT_EQ(c.reconnect.initial, 1s);
    EXPECT_EQ(c.reconnect.max, 30s);
    EXPECT_EQ(c.connect_timeout, 15s);
    EXPECT_EQ(c.max_in_flight, 32u);
    EXPECT_EQ(c.status_interval, 60s);
    EXPECT_EQ(c.effective_client_id(), "gw-001");
}

TEST(UplinkConfig, EachBadValueNamesItsKey) {
    auto c = valid();
    c.gateway_id = "a/b";
    expect_invalid(c, "uplink.gateway_id");
    c = valid();
    c.topic_prefix = "x//y";
    expect_invalid(c, "uplink.topic_prefix");
    c = valid();
    c.host = "";
    expect_invalid(c, "uplink.host");
    c = valid();
    c.port = 0;
    expect_invalid(c, "uplink.port");
    c = valid();
    c.keepalive = 2s;
    expect_invalid(c, "uplink.keepalive");
    c = valid();
    c.tls.key_file.clear();
    expect_invalid(c, "uplink.tls.key_file");
    c = valid();
    c.tls.crl_file = "";
    expect_invalid(c, "uplink.tls.crl_file");
    c = valid();
    c.reconnect.max = 500ms;
    expect_invalid(c, "uplink.reconnect.max");
    c = valid();
    c.reconnect.initial = 0ms;
    expect_invalid(c, "uplink.reconnect.initial");
    c = valid();
    c.connect_timeout = 0s;
    expect_invalid(c, "uplink.connect_timeout");
    c = valid();
    c.batch.max_bytes = 128 * 1024;
    expect_invalid(c, "uplink.batch.max_bytes");
    c = valid();
    c.batch.max_points = 0;
    expect_invalid(c, "uplink.batch.max_points");
    c = valid();
    c.max_in_flight = 0;
    expect_invalid(c, "uplink.max_in_flight");
    c = valid();
    c.status_interval = 10ms;
    expect_invalid(c, "uplink.status_interval");
}

}  // namespace
}  // namespace lintel::uplink
