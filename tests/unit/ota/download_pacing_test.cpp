// The download's pacing: the bandwidth token bucket and the progress report gate (fake time).
#include <gtest/gtest.h>

#include "ota/download_progress.hpp"
#include "ota/download_rate_limit.hpp"

namespace lintel::ota {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(TokenBucket, UnlimitedGrantsEverything) {
    const auto t0 = Clock::now();
    TokenBucket b(0, t0);
    EXPECT_EQ(b.available(t0, 65536), 65536u);
    EXPECT_EQ(b.wait_time(t0, 65536), Clock::duration::zero());
}

TEST(TokenBucket, StartsEmptyAndNeverExceedsRateTimesTime) {
    const auto t0 = Clock::now();
    TokenBucket b(100'000, t0);  // capacity max(12500, 4096)
    EXPECT_EQ(b.capacity(), 12'500u);
    EXPECT_EQ(b.available(t0, 65536), 0u);
    // Simulate a reader that takes whatever is available, over 10 s of fake time in 7 ms steps.
    std::uint64_t taken = 0;
    auto now = t0;
    while (now < t0 + 10s) {
        now += 7ms;
        const auto n = b.available(now, 65536);
        b.consume(n);
        taken += n;
        const double allowed = std::chrono::duration<double>(now - t0).count() * 100'000.0;
        ASSERT_LE(static_cast<double>(taken), allowed + 1.0);
    }
    EXPECT_GE(taken, 990'000u);  // and it does not throttle below the rate either
}

TEST(TokenBucket, WaitTimeIsWhatTheMissingTokensTake) {
    const auto t0 = Clock::now();
    TokenBucket b(1'000'000, t0);  // capacity 125,000
    const auto wait = b.wait_time(t0, 65536);
    EXPECT_GE(wait, 65ms);
    EXPECT_LE(wait, 66ms);
    // More than the capacity: waits only for a bucket-full.
    EXPECT_LE(b.wait_time(t0, 10'000'000), 126ms);
    EXPECT_EQ(b.available(t0 + wait, 65536), 65536u);
}

TEST(TokenBucket, IdleTimeDoesNotBuildABurst) {
    const auto t0 = Clock::now();
    TokenBucket b(80'000, t0);  // capacity 10,000
    EXPECT_EQ(b.available(t0 + 1h, 1'000'000), 10'000u);
}

TEST(ProgressGate, FirstAndLastAlwaysStepsInBetween) {
    const auto t0 = Clock::now();
    ProgressGate g(ProgressPolicy{10, 30s, 0ms}, 1000);
    std::vector<std::uint64_t> reported;
    for (std::uint64_t b = 0; b <= 1000; b += 7) {
        if (g.due(b, t0)) reported.push_back(b);
    }
    if (g.due(1000, t0)) reported.push_back(1000);
    EXPECT_FALSE(g.due(1000, t0));  // the end is reported once
    ASSERT_GE(reported.size(), 2u);
    EXPECT_EQ(reported.front(), 0u);
    EXPECT_EQ(reported.back(), 1000u);
    EXPECT_LE(reported.size(), 12u);
    for (std::size_t i = 1; i + 1 < reported.size(); ++i)
        EXPECT_GE(reported[i] - reported[i - 1], 100u);
}

TEST(ProgressGate, IntervalReportsSlowProgressButNotSilence) {
    const auto t0 = Clock::now();
    ProgressGate g(ProgressPolicy{50, 30s, 1s}, 1'000'000);
    EXPECT_TRUE(g.due(0, t0));
    EXPECT_FALSE(g.due(10, t0 + 29s));
    EXPECT_TRUE(g.due(20, t0 + 31s));
    EXPECT_FALSE(g.due(20, t0 + 120s));  // nothing new: nothing to say
}

TEST(ProgressGate, MinimumIntervalCapsTheRate) {
    const auto t0 = Clock::now();
    ProgressGate g(ProgressPolicy{1, 30s, 1s}, 100);
    EXPECT_TRUE(g.due(0, t0));
    EXPECT_FALSE(g.due(50, t0 + 500ms));
    EXPECT_TRUE(g.due(50, t0 + 1s));
    EXPECT_TRUE(g.due(100, t0 + 1100ms));  // the last one is not held back
}

TEST(ProgressGate, ARestartFromZeroIsReported) {
    const auto t0 = Clock::now();
    ProgressGate g(ProgressPolicy{10, 30s, 0ms}, 1000);
    EXPECT_TRUE(g.due(0, t0));
    EXPECT_TRUE(g.due(600, t0));
    EXPECT_TRUE(g.due(0, t0));
    EXPECT_TRUE(g.due(100, t0));
}

}  // namespace
}  // namespace lintel::ota
