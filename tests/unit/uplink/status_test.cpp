// Status payloads: exact online/offline JSON, counters included, bad UTF-8 tolerated.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "uplink/status.hpp"

namespace lintel::uplink {
namespace {

TEST(Status, OnlineCarriesIdentityAndCounters) {
    StatusInfo info;
    info.gateway = "gw-001";
    info.version = "0.1.0";
    info.since_ms = 1700000000123;
    info.buffer.queued_points = 42;
    info.buffer.dropped_total = 7;
    info.buffer.dropped_by_device = {{"plc-1", 5}, {"meter", 2}};
    info.buffer.ingest_overflow = 1;
    info.connects = 3;
    info.disconnects = 2;
    EXPECT_EQ(online_status_json(info),
              R"({"state":"online","gateway":"gw-001","version":"0.1.0","since":1700000000123,)"
              R"("queued_points":42,"dropped_total":7,"dropped_by_device":{"meter":2,"plc-1":5},)"
              R"("ingest_overflow":1,"connects":3,"disconnects":2})");
}

TEST(Status, OnlineWithNothingDroppedHasAnEmptyObject) {
    StatusInfo info;
    info.gateway = "g";
    auto j = nlohmann::json::parse(online_status_json(info));
    EXPECT_TRUE(j["dropped_by_device"].is_object());
    EXPECT_TRUE(j["dropped_by_device"].empty());
}

TEST(Status, Offline) {
    EXPECT_EQ(offline_status_json("gw-001"), R"({"state":"offline","gateway":"gw-001"})");
}

TEST(Status, InvalidUtf8DoesNotThrow) {
    StatusInfo info;
    info.gateway = "gw";
    info.buffer.dropped_by_device = {{std::string("bad\xff", 4), 1}};
    std::string s;
    EXPECT_NO_THROW(s = online_status_json(info));
    EXPECT_TRUE(nlohmann::json::accept(s));
}

}  // namespace
}  // namespace lintel::uplink
