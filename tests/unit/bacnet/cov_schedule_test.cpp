// Unit tests of COV subscription scheduling: renewal at 2/3 of the lifetime, retries, and when an
// object falls back to polling (refused, unanswered, no notification after subscribing).
#include "cov_schedule.hpp"

#include <gtest/gtest.h>

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;
using Clock = CovSubscription::Clock;

const CovTiming kTiming{600s, 3s, 30s};

TEST(BacnetCovSchedule, RenewsAtTwoThirdsOfTheLifetime) {
    const auto t0 = Clock::time_point{} + 1h;
    CovSubscription s(kTiming);
    EXPECT_TRUE(s.subscribe_due(t0));
    EXPECT_TRUE(s.needs_polling(t0));
    s.subscribed(t0, t0);
    EXPECT_EQ(s.state(), CovSubscription::State::active);
    EXPECT_EQ(s.renew_at(), t0 + 400s);
    EXPECT_EQ(s.expires_at(), t0 + 600s);
    EXPECT_FALSE(s.subscribe_due(t0 + 399s));
    EXPECT_TRUE(s.subscribe_due(t0 + 400s));
    // The renewal moves the schedule on from when it was acknowledged.
    s.subscribed(t0 + 401s, t0 + 401s);
    EXPECT_EQ(s.renew_at(), t0 + 801s);
    // Short lifetimes keep the ratio (tests use a few seconds).
    CovSubscription quick(CovTiming{3s, 1s, 1s});
    quick.subscribed(t0, t0);
    EXPECT_EQ(quick.renew_at(), t0 + 2s);
}

TEST(BacnetCovSchedule, NoNotificationAfterSubscribingMeansPolling) {
    const auto t0 = Clock::time_point{} + 1h;
    CovSubscription s(kTiming);
    s.subscribed(t0, t0);
    EXPECT_FALSE(s.needs_polling(t0 + 2s));  // within the grace
    EXPECT_EQ(s.next_event(), t0 + 3s);
    EXPECT_TRUE(s.silent(t0 + 3s));
    EXPECT_TRUE(s.needs_polling(t0 + 3s));
    s.notified(t0 + 10s);  // notifications resume: back to COV only
    EXPECT_FALSE(s.needs_polling(t0 + 10s));
    EXPECT_EQ(s.next_event(), t0 + 400s);
    // A lapsed subscription (renewals lost) is polled too.
    EXPECT_TRUE(s.needs_polling(t0 + 600s));
}

TEST(BacnetCovSchedule, ANotificationThatOvertookTheAckCounts) {
    const auto t0 = Clock::time_point{} + 1h;
    CovSubscription s(kTiming);
    s.notified(t0 + 10ms);             // the initial notification, processed first
    s.subscribed(t0, t0 + 20ms);       // the acknowledgement of the request sent at t0
    EXPECT_FALSE(s.silent(t0 + 10s));  // not waiting for another one
    // A renewal waits for a notification newer than its request.
    s.subscribed(t0 + 400s, t0 + 400s);
    EXPECT_TRUE(s.silent(t0 + 404s));
}

TEST(BacnetCovSchedule, RefusalWaitsALifetimeAndNoAnswerTheFailureDelay) {
    const auto t0 = Clock::time_point{} + 1h;
    CovSubscription s(kTiming);
    s.refused(t0);
    EXPECT_TRUE(s.needs_polling(t0));
    EXPECT_FALSE(s.subscribe_due(t0 + 599s));
    EXPECT_TRUE(s.subscribe_due(t0 + 600s));
    s.failed(t0);
    EXPECT_EQ(s.next_event(), t0 + 30s);
    EXPECT_TRUE(s.subscribe_due(t0 + 30s));
    s.subscribed(t0 + 31s, t0 + 31s);
    s.forget();  // the device restarted
    EXPECT_EQ(s.state(), CovSubscription::State::unsubscribed);
    EXPECT_TRUE(s.subscribe_due(t0 + 32s));
    EXPECT_TRUE(s.needs_polling(t0 + 32s));
}

}  // namespace
}  // namespace lintel::bacnet
