// Topic building and validation of the prefix and the gateway id.
#include <gtest/gtest.h>

#include "uplink/topics.hpp"

namespace lintel::uplink {
namespace {

TEST(Topics, BuildsTelemetryAndStatus) {
    auto t = Topics::make("lintel/v1", "gw-001");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->telemetry, "lintel/v1/gw-001/telemetry");
    EXPECT_EQ(t->status, "lintel/v1/gw-001/status");
    EXPECT_EQ(Topics::make("site", "a.b_c")->status, "site/a.b_c/status");
}

TEST(Topics, RejectsBadGatewayIds) {
    for (const char* id : {"", "a/b", "+", "gw#", "$gw", "gw+1"}) {
        auto t = Topics::make("lintel/v1", id);
        EXPECT_FALSE(t) << id;
        if (!t) {
            EXPECT_NE(t.error().message.find("uplink.gateway_id"), std::string::npos);
        }
    }
    EXPECT_FALSE(Topics::make("lintel/v1", std::string(257, 'x')));
    EXPECT_FALSE(Topics::make("lintel/v1", std::string("g\0w", 3)));
    EXPECT_TRUE(Topics::make("lintel/v1", "gw$1"));  // '$' only matters at the start
}

TEST(Topics, RejectsBadPrefixes) {
    for (const char* p :
         {"", "/lintel", "lintel/", "lintel//v1", "lintel/+", "#", "$SYS/x", "$aws/things"}) {
        auto t = Topics::make(p, "gw");
        EXPECT_FALSE(t) << p;
        if (!t) {
            EXPECT_NE(t.error().message.find("uplink.topic_prefix"), std::string::npos) << p;
        }
    }
    EXPECT_TRUE(Topics::make("a", "gw"));
    EXPECT_TRUE(Topics::make("a/b/c", "gw"));
    EXPECT_TRUE(Topics::make("a/$b", "gw"));
}

}  // namespace
}  // namespace lintel::uplink
