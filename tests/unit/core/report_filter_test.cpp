// Report by exception: deadband edges, percent bands, quality and unit changes, heartbeats with an
// injected clock, non-numeric values, per-point settings and the unseen-point check.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/report_filter.hpp"

namespace lintel::core {
namespace {

using namespace std::chrono_literals;
using Clock = ReportFilter::Clock;

sdk::PointValue pv(std::string point, sdk::Value v, sdk::Quality q = sdk::Quality::good) {
    return sdk::PointValue{"dev", std::move(point), std::move(v), "", q, 0};
}

ReportSettings band(std::optional<double> deadband,
                    std::optional<std::chrono::milliseconds> heartbeat = std::nullopt) {
    ReportSettings s;
    s.device.deadband = deadband;
    s.device.heartbeat = heartbeat;
    return s;
}

const Clock::time_point t0{};

TEST(ReportFilter, FirstValueIsReportedThenOnlyChangesBeyondTheDeadband) {
    ReportFilter f(band(0.5));
    EXPECT_TRUE(f.admit(pv("v", 10.0), t0));
    EXPECT_FALSE(f.admit(pv("v", 10.25), t0));
    EXPECT_FALSE(f.admit(pv("v", 10.5), t0));  // exactly the deadband: not more than it
    EXPECT_FALSE(f.admit(pv("v", 9.5), t0));
    EXPECT_TRUE(f.admit(pv("v", 10.625), t0));
    // Compared with the last *reported* value (10.625), not the last read one.
    EXPECT_FALSE(f.admit(pv("v", 11.0), t0));
    EXPECT_FALSE(f.admit(pv("v", 11.125), t0));
    EXPECT_TRUE(f.admit(pv("v", 11.25), t0));
    EXPECT_EQ(f.suppressed(), 5U);
}

TEST(ReportFilter, IntegersAndMixedTypesUseTheSameBand) {
    ReportFilter f(band(2));
    EXPECT_TRUE(f.admit(pv("n", std::int64_t{100}), t0));
    EXPECT_FALSE(f.admit(pv("n", std::int64_t{102}), t0));
    EXPECT_TRUE(f.admit(pv("n", std::int64_t{103}), t0));
    EXPECT_FALSE(f.admit(pv("n", 104.5), t0));
    EXPECT_TRUE(f.admit(pv("n", 105.5), t0));
}

TEST(ReportFilter, WithoutADeadbandEveryChangeIsReportedAndRepeatsAreNot) {
    ReportFilter f(ReportSettings{});
    const std::int64_t big = (std::int64_t{1} << 60);
    EXPECT_TRUE(f.admit(pv("n", big), t0));
    EXPECT_FALSE(f.admit(pv("n", big), t0));
    EXPECT_TRUE(f.admit(pv("n", big + 1), t0));  // exact even beyond a double's precision
}

TEST(ReportFilter, PercentBandIsRelativeToTheLastReportedValue) {
    ReportSettings s;
    s.device.deadband_percent = 1.0;
    ReportFilter f(s);
    EXPECT_TRUE(f.admit(pv("p", 200.0), t0));
    EXPECT_FALSE(f.admit(pv("p", 202.0), t0));  // 1 % of 200
    EXPECT_TRUE(f.admit(pv("p", 202.5), t0));
    EXPECT_FALSE(f.admit(pv("p", 200.5), t0));  // within 1 % of 202.5 = 2.025
    EXPECT_TRUE(f.admit(pv("z", 0.0), t0));
    EXPECT_TRUE(f.admit(pv("z", 0.001), t0));  // any change from zero
}

TEST(ReportFilter, QualityOrUnitChangeIsAlwaysReported) {
    ReportFilter f(band(100));
    EXPECT_TRUE(f.admit(pv("v", 1.0), t0));
    EXPECT_TRUE(f.admit(pv("v", 1.0, sdk::Quality::stale), t0));
    EXPECT_FALSE(f.admit(pv("v", 1.0, sdk::Quality::stale), t0));
    EXPECT_TRUE(f.admit(pv("v", 1.0, sdk::Quality::good), t0));
    auto with_unit = pv("v", 1.0);
    with_unit.unit = "kWh";
    EXPECT_TRUE(f.admit(with_unit, t0));
}

TEST(ReportFilter, HeartbeatResendsAnUnchangedValue) {
    ReportFilter f(band(1, 15min));
    EXPECT_TRUE(f.admit(pv("v", 5.0), t0));
    EXPECT_FALSE(f.admit(pv("v", 5.0), t0 + 14min));
    EXPECT_TRUE(f.admit(pv("v", 5.0), t0 + 15min));
    // The heartbeat counts from the last report, including one caused by a change.
    EXPECT_TRUE(f.admit(pv("v", 7.0), t0 + 20min));
    EXPECT_FALSE(f.admit(pv("v", 7.0), t0 + 34min));
    EXPECT_TRUE(f.admit(pv("v", 7.0), t0 + 35min));
}

TEST(ReportFilter, StringsAndBoolsAreReportedWhenTheyChange) {
    ReportFilter f(band(1000));
    EXPECT_TRUE(f.admit(pv("s", std::string("ok")), t0));
    EXPECT_FALSE(f.admit(pv("s", std::string("ok")), t0));
    EXPECT_TRUE(f.admit(pv("s", std::string("alarm")), t0));
    EXPECT_TRUE(f.admit(pv("b", false), t0));
    EXPECT_FALSE(f.admit(pv("b", false), t0));
    EXPECT_TRUE(f.admit(pv("b", true), t0));             // not numeric: the deadband does not apply
    EXPECT_TRUE(f.admit(pv("b", std::int64_t{1}), t0));  // type change
}

TEST(ReportFilter, NanAndInfinityAreReportedOnceWhenTheyAppear) {
    ReportFilter f(band(10));
    EXPECT_TRUE(f.admit(pv("v", 1.0), t0));
    EXPECT_TRUE(f.admit(pv("v", std::nan("")), t0));
    EXPECT_FALSE(f.admit(pv("v", std::nan("")), t0));
    EXPECT_TRUE(f.admit(pv("v", 1.0), t0));
    EXPECT_TRUE(f.admit(pv("v", std::numeric_limits<double>::infinity()), t0));
}

TEST(ReportFilter, PointSettingsOverrideTheDevicesAndUnseenNamesAreListed) {
    ReportSettings s = band(0.5, 15min);
    s.points["energy"].deadband = 0.01;
    s.points["status"].heartbeat = 1h;
    s.points["typo"].deadband = 1;
    ReportFilter f(s);
    EXPECT_TRUE(f.admit(pv("energy", 100.0), t0));
    EXPECT_TRUE(f.admit(pv("energy", 100.02), t0));
    EXPECT_TRUE(f.admit(pv("status", 1.0), t0));
    EXPECT_FALSE(f.admit(pv("status", 1.4), t0 + 30min));  // device deadband, point heartbeat
    EXPECT_TRUE(f.admit(pv("status", 1.4), t0 + 1h));
    EXPECT_TRUE(f.admit(pv("other", 1.0), t0));
    EXPECT_TRUE(f.admit(pv("other", 1.0), t0 + 15min));  // device heartbeat
    EXPECT_EQ(f.unseen_points(), std::vector<std::string>{"typo"});
}

}  // namespace
}  // namespace lintel::core
