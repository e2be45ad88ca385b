// StoreService: commit grouping, callbacks on the loop, flush on stop, overflow accounting.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "store/store_service.hpp"
#include "store_test_util.hpp"

namespace lintel::store {
namespace {

using namespace std::chrono_literals;
using test::CapturingLogger;
using test::numbered_points;
using test::run_until;
using test::TempDir;

// The batch of a successful next_batch, or an empty Batch (seq 0) so the caller's check fails.
Batch take(Expected<std::optional<Batch>> r) {
    EXPECT_TRUE(r.has_value());
    if (!r.has_value() || !r->has_value()) return Batch{0, std::string(), 0, {}};
    return std::move(**r);
}

class StoreServiceTest : public ::testing::Test {
protected:
    StoreOptions options(std::chrono::milliseconds interval, std::size_t batch) const {
        StoreOptions o;
        o.buffer.path = dir_.file("buffer.db");
        o.buffer.gateway_id = "gw-test";
        o.commit_interval = interval;
        o.commit_batch = batch;
        return o;
    }
    std::unique_ptr<StoreService> start(const StoreOptions& o) {
        auto s = StoreService::start(o, io_.get_executor(), log_);
        EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
        return s ? std::move(*s) : nullptr;
    }

    TempDir dir_;
    CapturingLogger log_;
    asio::io_context io_;
};

TEST_F(StoreServiceTest, CommitsAfterTheIntervalAndNotifiesOnTheLoop) {
    auto svc = start(options(20ms, 1000));
    int notified = 0;
    std::thread::id notified_on;
    svc->on_data_available([&] {
        ++notified;
        notified_on = std::this_thread::get_id();
    });
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(svc->ingest(numbered_points(0, 10)), 10u);
    ASSERT_TRUE(run_until(io_, [&] { return notified > 0; }));
    EXPECT_GE(std::chrono::steady_clock::now() - t0,
              20ms);  // waited for the interval, not the batch
    EXPECT_EQ(notified_on, std::this_thread::get_id());
    EXPECT_EQ(svc->stats().accepted_total, 10u);
    EXPECT_EQ(svc->stats().queued_points, 10u);
}

TEST_F(StoreServiceTest, CommitsAtBatchSizeWithoutWaitingForTheInterval) {
    auto svc = start(options(3600s, 100));
    bool notified = false;
    svc->on_data_available([&] { notified = true; });
    EXPECT_EQ(svc->ingest(numbered_points(0, 60)), 60u);
    EXPECT_EQ(svc->ingest(numbered_points(60, 60)), 60u);
    ASSERT_TRUE(run_until(io_, [&] { return notified; }));
    EXPECT_EQ(svc->stats().accepted_total, 120u);
}

TEST_F(StoreServiceTest, BatchesAckAndCallbacksRunOnTheLoop) {
    auto svc = start(options(3600s, 100000));
    svc->ingest(numbered_points(0, 25));
    bool flushed = false;
    svc->flush([&](Expected<void> r) {
        EXPECT_TRUE(r.has_value());
        flushed = true;
    });
    ASSERT_TRUE(run_until(io_, [&] { return flushed; }));

    std::optional<Batch> got;
    std::thread::id ran_on;
    svc->next_batch({10, 64 * 1024}, [&](Expected<std::optional<Batch>> r) {
        ran_on = std::this_thread::get_id();
        got = take(std::move(r));
    });
    ASSERT_TRUE(run_until(io_, [&] { return got.has_value(); }));
    EXPECT_EQ(ran_on, std::this_thread::get_id());
    EXPECT_EQ(got->seq + 1, svc->stats().next_seq);
    EXPECT_EQ(got->points, 10u);

    svc->acknowledge(got->seq);
    flushed = false;
    svc->flush([&](Expected<void>) { flushed = true; });
    ASSERT_TRUE(run_until(io_, [&] { return flushed; }));
    EXPECT_EQ(svc->stats().queued_points, 15u);
    EXPECT_EQ(svc->stats().acked_total, 10u);

    // An unacknowledged batch comes back first after rewind.
    std::optional<Batch> second, again;
    svc->next_batch({10, 64 * 1024},
                    [&](Expected<std::optional<Batch>> r) { second = take(std::move(r)); });
    ASSERT_TRUE(run_until(io_, [&] { return second.has_value(); }));
    svc->rewind();
    svc->next_batch({10, 64 * 1024},
                    [&](Expected<std::optional<Batch>> r) { again = take(std::move(r)); });
    ASSERT_TRUE(run_until(io_, [&] { return again.has_value(); }));
    EXPECT_EQ(again->seq, second->seq);
    EXPECT_EQ(again->payload, second->payload);
}

TEST_F(StoreServiceTest, StopCommitsWhatIsPending) {
    {
        auto svc = start(options(3600s, 100000));
        EXPECT_EQ(svc->ingest(numbered_points(0, 42)), 42u);
        svc->stop();
        EXPECT_EQ(svc->stats().accepted_total, 42u);
        EXPECT_EQ(svc->ingest(numbered_points(42, 1)), 0u);  // refused after stop, and counted
        EXPECT_EQ(svc->stats().ingest_overflow, 1u);
        bool failed = false;
        svc->next_batch({}, [&](Expected<std::optional<Batch>> r) { failed = !r.has_value(); });
        ASSERT_TRUE(run_until(io_, [&] { return failed; }));
    }
    auto b = Buffer::open(options(1s, 1).buffer, log_);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ((*b)->stats().queued_points, 42u);
}

TEST_F(StoreServiceTest, OverflowIsRefusedAndCounted) {
    auto o = options(3600s, 10);
    o.max_pending = 10;
    auto svc = start(o);
    EXPECT_EQ(svc->ingest(numbered_points(0, 25)), 10u);
    EXPECT_EQ(svc->stats().ingest_overflow, 15u);
    EXPECT_EQ(log_.count(sdk::LogLevel::warning), 1u);
    bool flushed = false;
    svc->flush([&](Expected<void>) { flushed = true; });
    ASSERT_TRUE(run_until(io_, [&] { return flushed; }));
    EXPECT_EQ(svc->ingest_room(), 10u);
    EXPECT_EQ(svc->stats().accepted_total, 10u);
}

TEST_F(StoreServiceTest, CallbackQueuedOnTheLoopOutlivesTheService) {
    bool called = false;
    {
        auto svc = start(options(3600s, 100000));
        svc->ingest(numbered_points(0, 5));
        svc->on_data_available([&] { called = true; });
        svc->stop();  // the notification is now queued on io_, the service goes away
    }
    io_.run_for(50ms);
    EXPECT_TRUE(called);
}

}  // namespace
}  // namespace lintel::store
