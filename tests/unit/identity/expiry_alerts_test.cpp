// take_due_thresholds: each threshold once per certificate, also across a restart (the record).
#include "identity/expiry_alerts.hpp"

#include <gtest/gtest.h>

#include "support/files.hpp"

namespace lintel::identity {
namespace {

using std::chrono::hours;
using ms = std::chrono::milliseconds;
constexpr std::int64_t k_day = 86'400'000;
const std::vector<ms> k_thresholds{hours(24 * 30), hours(24 * 7), hours(24)};

TEST(ExpiryAlerts, EachThresholdFiresOnce) {
    ExpiryRecord r;
    const std::int64_t end = 100 * k_day;
    EXPECT_TRUE(take_due_thresholds(end, end - 40 * k_day, k_thresholds, r).empty());
    auto due = take_due_thresholds(end, end - 29 * k_day, k_thresholds, r);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0], hours(24 * 30));
    EXPECT_TRUE(take_due_thresholds(end, end - 28 * k_day, k_thresholds, r).empty());
    // Skipped ahead (the gateway was off): both remaining fire at once, most urgent first.
    due = take_due_thresholds(end, end - k_day / 2, k_thresholds, r);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0], hours(24));
    EXPECT_TRUE(take_due_thresholds(end, end, k_thresholds, r).empty());
}

TEST(ExpiryAlerts, ANewCertificateStartsOverAndTheRecordSurvivesARestart) {
    lintel::test::TempDir dir("lintel-identity-expiry");
    ExpiryRecord r;
    const std::int64_t end = 100 * k_day;
    ASSERT_EQ(take_due_thresholds(end, end - 8 * k_day, k_thresholds, r).size(), 1u);
    ASSERT_TRUE(write_expiry_record(dir / "expiry.json", r));
    ExpiryRecord restarted = read_expiry_record(dir / "expiry.json");
    EXPECT_EQ(restarted, r);
    EXPECT_TRUE(take_due_thresholds(end, end - 8 * k_day, k_thresholds, restarted).empty());
    EXPECT_EQ(take_due_thresholds(end + 90 * k_day, end, k_thresholds, restarted).size(), 0u);
    EXPECT_EQ(restarted.not_after_ms, end + 90 * k_day);
    EXPECT_EQ(read_expiry_record(dir / "missing.json"), ExpiryRecord{});
}

}  // namespace
}  // namespace lintel::identity
