// Scalar parsers (durations, sizes, numbers) and MapReader's strictness.
#include <gtest/gtest.h>

#include "lintel/config_reader.hpp"

namespace lintel::sdk {
namespace {

using namespace std::chrono_literals;

ConfigNode scalar(std::string path, std::string value, int line, int col) {
    ConfigNode n;
    n.kind = ConfigNode::Kind::scalar;
    n.scalar = std::move(value);
    n.path = std::move(path);
    n.mark = Mark{"t.yaml", line, col};
    return n;
}

TEST(ParseDuration, AcceptsUnits) {
    std::string why;
    EXPECT_EQ(parse_duration("500ms", why), 500ms);
    EXPECT_EQ(parse_duration("5s", why), 5000ms);
    EXPECT_EQ(parse_duration("1.5s", why), 1500ms);
    EXPECT_EQ(parse_duration("2m", why), 120'000ms);
    EXPECT_EQ(parse_duration("1h", why), 3'600'000ms);
    EXPECT_EQ(parse_duration("0", why), 0ms);
}

TEST(ParseDuration, RejectsMissingOrUnknownUnit) {
    std::string why;
    EXPECT_FALSE(parse_duration("5", why));
    EXPECT_NE(why.find("needs a unit"), std::string::npos);
    EXPECT_FALSE(parse_duration("5 parsecs", why));
    EXPECT_FALSE(parse_duration("-5s", why));
    EXPECT_FALSE(parse_duration("s", why));
    EXPECT_FALSE(parse_duration("0.5ms", why));
    EXPECT_NE(why.find("finer than a millisecond"), std::string::npos);
}

TEST(ParseSize, AcceptsBinaryAndDecimalUnits) {
    std::string why;
    EXPECT_EQ(parse_size("256MiB", why), 256ULL << 20);
    EXPECT_EQ(parse_size("64KiB", why), 65536U);
    EXPECT_EQ(parse_size("1GiB", why), 1ULL << 30);
    EXPECT_EQ(parse_size("10MB", why), 10'000'000U);
    EXPECT_EQ(parse_size("4096", why), 4096U);
    EXPECT_FALSE(parse_size("12 parsecs", why));
    EXPECT_NE(why.find("unknown unit"), std::string::npos);
    EXPECT_FALSE(parse_size("1.5", why));
}

TEST(ParseInt, RangeAndHex) {
    std::string why;
    EXPECT_EQ(parse_int("-42", why), -42);
    EXPECT_EQ(parse_int("0x10", why), 16);
    EXPECT_EQ(parse_int("-9223372036854775808", why), INT64_MIN);
    EXPECT_FALSE(parse_int("9223372036854775808", why));
    EXPECT_FALSE(parse_int("12abc", why));
    EXPECT_FALSE(parse_int("", why));
}

TEST(ParseDouble, RejectsNonFinite) {
    std::string why;
    EXPECT_EQ(parse_double("1.25", why), 1.25);
    EXPECT_FALSE(parse_double("nan", why));
    EXPECT_FALSE(parse_double("inf", why));
    EXPECT_FALSE(parse_double("1e999", why));
}

TEST(MapReader, ReportsUnknownKeysWithTheirPosition) {
    ConfigNode map;
    map.kind = ConfigNode::Kind::map;
    map.path = "buffer";
    map.mark = Mark{"t.yaml", 3, 3};
    map.entries.emplace_back("max_bytes", scalar("buffer.max_bytes", "1MiB", 4, 14));
    map.entries.emplace_back("max_bites", scalar("buffer.max_bites", "1MiB", 5, 14));
    ConfigErrors errors;
    MapReader r(map, errors);
    EXPECT_EQ(r.size("max_bytes", 0, 0, 1ULL << 30), 1ULL << 20);
    r.finish();
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(),
              "t.yaml:5:14: buffer.max_bites: unknown key \"max_bites\"");
}

TEST(MapReader, RangeTypeAndMissingErrors) {
    ConfigNode map;
    map.kind = ConfigNode::Kind::map;
    map.path = "uplink";
    map.mark = Mark{"t.yaml", 1, 1};
    map.entries.emplace_back("port", scalar("uplink.port", "70000", 2, 9));
    map.entries.emplace_back("keepalive", scalar("uplink.keepalive", "30", 3, 14));
    ConfigErrors errors;
    MapReader r(map, errors);
    r.integer("port", 8883, 1, 65535);
    r.duration("keepalive", 30s, 1s, 600s);
    r.string("host");
    r.finish();
    ASSERT_EQ(errors.size(), 3U);
    EXPECT_EQ(errors.issues()[0].to_string(),
              "t.yaml:2:9: uplink.port: 70000 is out of range [1, 65535]");
    EXPECT_EQ(errors.issues()[1].to_string(),
              "t.yaml:3:14: uplink.keepalive: duration \"30\" needs a unit: ms, s, m, h or d (for "
              "example "
              "500ms or 5s)");
    EXPECT_EQ(errors.issues()[2].to_string(), "t.yaml:1:1: uplink.host: required key is missing");
}

TEST(MapReader, RejectsAListWhereAValueBelongs) {
    ConfigNode map;
    map.kind = ConfigNode::Kind::map;
    ConfigNode list;
    list.kind = ConfigNode::Kind::sequence;
    list.path = "port";
    list.mark = Mark{"t.yaml", 1, 7};
    map.entries.emplace_back("port", list);
    ConfigErrors errors;
    MapReader r(map, errors);
    r.integer("port", 1, 0, 10);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors.issues()[0].to_string(),
              "t.yaml:1:7: port: expected a single value, not a list or map");
}

}  // namespace
}  // namespace lintel::sdk
