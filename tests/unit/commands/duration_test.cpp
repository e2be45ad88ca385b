// lintel-sign's --ttl parser.
#include "sign/duration.hpp"

#include <gtest/gtest.h>

namespace lintel::sign {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesUnits) {
    EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
    EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
    EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
    EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
    EXPECT_EQ(parse_duration("2d"), milliseconds(172'800'000));
    EXPECT_EQ(parse_duration("366d"), milliseconds(366LL * 86'400'000));
}

TEST(Duration, RefusesAnythingElse) {
    for (const char* text : {"", "5", "s", "ms", "0s", "-5s", "+5s", "1.5s", "5 s", " 5s", "5S",
                             "5sec", "5min", "1h30m", "367d", "99999999999999s", "0x10s"}) {
        EXPECT_FALSE(parse_duration(text)) << text;
    }
}

}  // namespace
}  // namespace lintel::sign
