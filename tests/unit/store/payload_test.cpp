// Telemetry payload encoding: valid JSON for every value type, escaping, exact sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "uplink/payload.hpp"

namespace lintel::uplink {
namespace {

using nlohmann::json;

sdk::PointValue point(sdk::Value value, std::string unit = "kW") {
    sdk::PointValue p;
    p.device = "meter-1";
    p.point = "power";
    p.value = std::move(value);
    p.unit = std::move(unit);
    p.quality = sdk::Quality::good;
    p.ts_ms = 1'700'000'000'123;
    return p;
}

TEST(Payload, ExactShapeAndKeyOrder) {
    const std::vector<sdk::PointValue> points{point(std::int64_t{42})};
    EXPECT_EQ(
        encode_telemetry("gw-7", 9, points),
        R"({"gateway":"gw-7","seq":9,"points":[{"device":"meter-1","point":"power","value":42,)"
        R"("ts":1700000000123,"unit":"kW","quality":"good"}]})");
}

TEST(Payload, EveryValueTypeParsesBack) {
    const std::vector<sdk::PointValue> points{point(true),
                                              point(false),
                                              point(std::int64_t{-7}),
                                              point(std::numeric_limits<std::int64_t>::max()),
                                              point(21.5),
                                              point(1e-300),
                                              point(std::string("on"))};
    const auto j = json::parse(encode_telemetry("gw", 1, points));
    ASSERT_EQ(j["points"].size(), points.size());
    EXPECT_EQ(j["points"][0]["value"], true);
    EXPECT_EQ(j["points"][1]["value"], false);
    EXPECT_EQ(j["points"][2]["value"].get<std::int64_t>(), -7);
    EXPECT_EQ(j["points"][3]["value"].get<std::int64_t>(),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_DOUBLE_EQ(j["points"][4]["value"].get<double>(), 21.5);
    EXPECT_DOUBLE_EQ(j["points"][5]["value"].get<double>(), 1e-300);
    EXPECT_EQ(j["points"][6]["value"], "on");
    EXPECT_EQ(j["gateway"], "gw");
    EXPECT_EQ(j["seq"], 1);
}

TEST(Payload, NonFiniteIsNullWithQualityError) {
    for (double v : {std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
        const auto j = json::parse(encode_point(point(v)));
        EXPECT_TRUE(j["value"].is_null());
        EXPECT_EQ(j["quality"], "error");
    }
}

TEST(Payload, QualityAndEmptyUnit) {
    auto p = point(1.0, "");
    p.quality = sdk::Quality::stale;
    const auto j = json::parse(encode_point(p));
    EXPECT_FALSE(j.contains("unit"));
    EXPECT_EQ(j["quality"], "stale");
}

TEST(Payload, StringsAreEscaped) {
    auto p = point(std::string("a\"b\\c\n\t\x01 \xc3\xa9 \xe2\x82\xac"));
    p.device = "dev \"x\"";
    p.point = "p/\\q";
    const std::string text = encode_telemetry("gw\"1", 1, std::span(&p, 1));
    const auto j = json::parse(text);
    EXPECT_EQ(j["gateway"], "gw\"1");
    EXPECT_EQ(j["points"][0]["device"], "dev \"x\"");
    EXPECT_EQ(j["points"][0]["point"], "p/\\q");
    EXPECT_EQ(j["points"][0]["value"], "a\"b\\c\n\t\x01 \xc3\xa9 \xe2\x82\xac");
}

TEST(Payload, InvalidUtf8IsReplacedNotThrown) {
    auto p =
        point(std::string("ok\xff\xfe"
                          "end"));
    p.unit = "\xc3";  // truncated sequence
    std::string text;
    ASSERT_NO_THROW(text = encode_point(p));
    const auto j = json::parse(text);
    EXPECT_EQ(j["value"],
              "ok\xef\xbf\xbd\xef\xbf\xbd"
              "end");
    EXPECT_EQ(j["unit"], "\xef\xbf\xbd");
}

// The hand-written encoder must say exactly what nlohmann-json would have said.
TEST(Payload, AgreesWithNlohmannOnManyValues) {
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    std::vector<double> doubles{0.0,  -0.0, 1.0,  -1.0, 0.1,        1e15,   1e16,
                                1e17, 1e20, 1e-5, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308,
                                21.5, 100.0};
    for (int i = 0; i < 20000; ++i) {
        double d;
        const std::uint64_t bits = next();
        std::memcpy(&d, &bits, sizeof d);
        if (std::isfinite(d)) doubles.push_back(d);
        doubles.push_back(
            static_cast<double>(static_cast<std::int64_t>(next() % 2000000) - 1000000) / 1000.0);
    }
    for (double d : doubles) {
        const auto j = json::parse(encode_point(point(d)));
        const double back = j["value"].get<double>();
        ASSERT_EQ(std::memcmp(&back, &d, sizeof d), 0) << encode_point(point(d));
        ASSERT_TRUE(j["value"].is_number_float()) << encode_point(point(d));
    }
    for (int i = 0; i < 2000; ++i) {
        const auto v = static_cast<std::int64_t>(next());
        ASSERT_EQ(json::parse(encode_point(point(v)))["value"].get<std::int64_t>(), v);
    }
    // Every byte below 0x80 and some multi-byte characters, escaped as nlohmann does.
    std::string all;
    for (int c = 1; c < 0x80; ++c) all += static_cast<char>(c);
    all += "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xed\x9f\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf";
    auto p = point(all, all);
    p.device = all;
    nlohmann::ordered_json reference;
    reference["device"] = all;
    reference["point"] = p.point;
    reference["value"] = all;
    reference["ts"] = p.ts_ms;
    reference["unit"] = all;
    reference["quality"] = "good";
    EXPECT_EQ(encode_point(p), reference.dump());
}

TEST(Payload, SizesAreExact) {
    const std::vector<sdk::PointValue> points{point(true), point(std::string("x\"y")),
                                              point(3.25, "")};
    std::size_t expected = telemetry_envelope_size("gateway-17", 123456);
    for (const auto& p : points) expected += encoded_point_size(p);
    expected += points.size() - 1;
    EXPECT_EQ(encode_telemetry("gateway-17", 123456, points).size(), expected);
    EXPECT_EQ(encode_telemetry("gateway-17", 123456, {}).size(),
              telemetry_envelope_size("gateway-17", 123456));

    TelemetryBuilder b("g", 1);
    const std::string e = encode_point(points[0]);
    EXPECT_EQ(b.size_with(e), b.size() + e.size());
    b.add_encoded(e);
    EXPECT_EQ(b.size_with(e), b.size() + e.size() + 1);
    const std::size_t before = b.size_with(e);
    b.add_encoded(e);
    EXPECT_EQ(std::move(b).finish().size(), before);

    // try_add refuses exactly at the limit.
    TelemetryBuilder t("g", 1);
    const std::size_t one = t.size_with(e);
    EXPECT_FALSE(t.try_add(points[0], one - 1));
    EXPECT_EQ(t.points(), 0u);
    EXPECT_TRUE(t.try_add(points[0], one));
    EXPECT_EQ(std::move(t).finish().size(), one);
}

}  // namespace
}  // namespace lintel::uplink
