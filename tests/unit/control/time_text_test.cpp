// lintelctl's durations and times: what --timeout and --since accept, and what tables show.
#include "ctl/time_text.hpp"

#include <gtest/gtest.h>

namespace lintel::ctl {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t k_2026_11_21_10h = 1795255200000;  // 2026-11-21T10:00:00Z

TEST(ControlTimeText, Durations) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("5s"), 5s);
    EXPECT_EQ(parse_duration("15m"), 15min);
    EXPECT_EQ(parse_duration("2min"), 2min);
    EXPECT_EQ(parse_duration("1h30m"), 90min);
    EXPECT_EQ(parse_duration("2d"), 48h);
    EXPECT_EQ(parse_duration("1w"), 168h);
    EXPECT_EQ(parse_duration("0s"), 0ms);
    // A bare number only where the caller gives it a unit (--timeout 5 = 5 s).
    EXPECT_EQ(parse_duration("5", 1s), 5s);
    for (auto bad : {"", "5", "s", "5x", "1h30", "-5s", "5 s", "1.5s", "99999999999999999999s",
                     "1000000000000w"}) {
        auto r = parse_duration(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "ctl.usage");
    }
    EXPECT_EQ(parse_duration("5x").error().message,
              "\"5x\" is not a duration (examples: 500ms, 5s, 15m, 1h30m, 2d)");
}

TEST(ControlTimeText, Timestamps) {
    EXPECT_EQ(parse_timestamp("2026-11-21T10:00:00Z"), k_2026_11_21_10h);
    EXPECT_EQ(parse_timestamp("2026-11-21t10:00:00z"), k_2026_11_21_10h);
    EXPECT_EQ(parse_timestamp("2026-11-21 10:00:00Z"), k_2026_11_21_10h);
    EXPECT_EQ(parse_timestamp("2026-11-21T12:00:00+02:00"), k_2026_11_21_10h);
    EXPECT_EQ(parse_timestamp("2026-11-21T05:30:00-04:30"), k_2026_11_21_10h);
    EXPECT_EQ(parse_timestamp("2026-11-21T10:00:00.25Z"), k_2026_11_21_10h + 250);
    EXPECT_EQ(parse_timestamp("2026-11-21"), k_2026_11_21_10h - 10 * 3600 * 1000);
    EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_timestamp("2028-02-29T00:00:00Z"), 1835395200000);  // leap day
    for (auto bad : {"2026-11-21T10:00:00", "2026-02-30", "2026-13-01", "2026-11-21T24:00:00Z",
                     "2026-11-21T10:00Z", "2026-11-21T10:00:00+2:00", "26-11-21", "yesterday",
                     "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00Zjunk"}) {
        EXPECT_FALSE(parse_timestamp(bad)) << bad;
    }
}

TEST(ControlTimeText, Since) {
    const std::int64_t now = k_2026_11_21_10h;
    EXPECT_EQ(parse_since("1h", now), now - 3600 * 1000);
    EXPECT_EQ(parse_since("30m", now), now - 1800 * 1000);
    EXPECT_EQ(parse_since("2026-11-21T09:00:00Z", now), now - 3600 * 1000);
    EXPECT_EQ(parse_since("100w", 1000), 0);  // before 1970: from the beginning
    auto bad = parse_since("last tuesday", now);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "--since \"last tuesday\" is neither a duration (1h, 30m, 2d) nor a time "
              "(2026-11-21T10:00:00Z)");
}

TEST(ControlTimeText, Formatting) {
    EXPECT_EQ(format_timestamp(k_2026_11_21_10h + 999), "2026-11-21T10:00:00Z");
    EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_uptime(45), "45s");
    EXPECT_EQ(format_uptime(303), "5m 3s");
    EXPECT_EQ(format_uptime(7384), "2h 3m");
    EXPECT_EQ(format_uptime(93784), "1d 2h 3m");
    EXPECT_EQ(format_uptime(-5), "0s");
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(1023), "1023 B");
    EXPECT_EQ(format_bytes(1024), "1.0 KiB");
    EXPECT_EQ(format_bytes(98304), "96.0 KiB");
    EXPECT_EQ(format_bytes(1572864), "1.5 MiB");
    EXPECT_EQ(format_timeout(5s), "5 s");
    EXPECT_EQ(format_timeout(500ms), "500 ms");
    EXPECT_EQ(format_timeout(2min), "2 min");
}

}  // namespace
}  // namespace lintel::ctl
