// Backoff: the ceiling doubles up to the cap, every delay lies in [0, ceiling], jitter spreads.
#include <gtest/gtest.h>

#include <set>

#include "uplink/backoff.hpp"

namespace lintel::uplink {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, CeilingDoublesUpToTheCap) {
    Backoff b(1000ms, 30000ms, 42);
    std::vector<std::chrono::milliseconds> ceilings;
    for (int i = 0; i < 8; ++i) {
        ceilings.push_back(b.ceiling());
        b.next();
    }
    EXPECT_EQ(ceilings, (std::vector<std::chrono::milliseconds>{
                            1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 30000ms, 30000ms, 30000ms}));
}

TEST(Backoff, DelaysStayWithinZeroAndTheCeiling) {
    Backoff b(100ms, 2000ms, 7);
    for (int i = 0; i < 10000; ++i) {
        const auto c = b.ceiling();
        const auto d = b.next();
        ASSERT_GE(d.count(), 0);
        ASSERT_LE(d, c);
        ASSERT_LE(d, 2000ms);
    }
}

TEST(Backoff, FullJitterUsesTheWholeRange) {
    Backoff b(1000ms, 1000ms, 1);  // constant ceiling: look at the distribution only
    std::chrono::milliseconds lo = 1000ms, hi = 0ms;
    std::set<long> distinct;
    for (int i = 0; i < 2000; ++i) {
        auto d = b.next();
        lo = std::min(lo, d);
        hi = std::max(hi, d);
        distinct.insert(static_cast<long>(d.count()));
    }
    EXPECT_LT(lo, 50ms);
    EXPECT_GT(hi, 950ms);
    EXPECT_GT(distinct.size(), 500u);
}

TEST(Backoff, ResetStartsFromInitialAndHugeAttemptCountsDoNotOverflow) {
    Backoff b(1ms, 24h, 3);
    for (int i = 0; i < 500; ++i) b.next();
    EXPECT_EQ(b.ceiling(), std::chrono::milliseconds(24h));
    b.reset();
    EXPECT_EQ(b.ceiling(), 1ms);
    EXPECT_EQ(b.attempts(), 0u);
}

TEST(Backoff, SeedsGiveDifferentSequences) {
    Backoff a(1000ms, 30000ms, 1), b(1000ms, 30000ms, 2);
    int same = 0;
    for (int i = 0; i < 20; ++i) same += a.next() == b.next() ? 1 : 0;
    EXPECT_LT(same, 5);
}

}  // namespace
}  // namespace lintel::uplink
