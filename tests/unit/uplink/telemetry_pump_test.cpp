// The pump against an in-memory store: window of max_in_flight, ack only on a good PUBACK,
// rewind on a new connection, wake-up on new data, and no pull while a stale fetch is out.
#include <gtest/gtest.h>

#include <map>

#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/fake_batch_source.hpp"
#include "uplink/telemetry_pump.hpp"

namespace lintel::uplink {
namespace {

using namespace std::chrono_literals;

class PumpTest : public ::testing::Test {
protected:
    // Records publishes; mids count up like a real client's.
    TelemetryPump::PublishFn publisher() {
        return [this](const store::Batch& batch) -> Expected<int> {
            const std::string& payload = batch.payload;
            if (fail_publish_) return make_error("test", "no connection");
            int mid = ++next_mid_;
            sent_[mid] = payload;
            order_.push_back(payload);
            return mid;
        };
    }
    void settle() { test::run_for(io_, 20ms); }

    asio::io_context io_;
    test::CaptureLogger log_{"pump", false};
    test::FakeBatchSource source_{io_.get_executor()};
    std::map<int, std::string> sent_;
    std::vector<std::string> order_;
    int next_mid_ = 0;
    bool fail_publish_ = false;
};

TEST_F(PumpTest, KeepsAtMostMaxInFlightAndAcksOnlyOnGoodPuback) {
    for (int i = 1; i <= 10; ++i) source_.add("b" + std::to_string(i));
    TelemetryPump pump(io_.get_executor(), source_, log_, store::BatchLimits{500, 65536}, 4);
    pump.start(publisher());
    settle();
    EXPECT_EQ(pump.in_flight(), 4u);
    EXPECT_EQ(order_, (std::vector<std::string>{"b1", "b2", "b3", "b4"}));
    EXPECT_TRUE(source_.acked().empty());
    EXPECT_EQ(source_.last_limits().max_points, 500u);

    EXPECT_TRUE(pump.on_puback(1, 0, "success"));
    EXPECT_TRUE(pump.on_puback(2, 0x10, "no matching subscribers"));  // delivered
    EXPECT_TRUE(pump.on_puback(3, 0x87, "not authorised"));           // refused: kept
    EXPECT_FALSE(pump.on_puback(99, 0, "success"));                   // not ours
    settle();
    EXPECT_EQ(source_.acked(), (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(pump.counters().rejected_batches, 1u);
    EXPECT_EQ(pump.in_flight(), 4u);  // refilled
    EXPECT_TRUE(log_.contains("refused a telemetry batch", sdk::LogLevel::error));
}

TEST_F(PumpTest, NewConnectionRewindsAndResendsUnacked) {
    for (int i = 1; i <= 3; ++i) source_.add("b" + std::to_string(i));
    TelemetryPump pump(io_.get_executor(), source_, log_, {}, 32);
    pump.start(publisher());
    settle();
    pump.on_puback(1, 0, "success");
    pump.stop();  // connection lost with b2, b3 unacked
    order_.clear();
    pump.start(publisher());
    settle();
    EXPECT_EQ(order_, (std::vector<std::string>{"b2", "b3"}));
    EXPECT_EQ(source_.rewinds(), 2);
}

TEST_F(PumpTest, IdleUntilDataAvailable) {
    TelemetryPump pump(io_.get_executor(), source_, log_, {}, 32);
    source_.on_data_available([&] { pump.data_available(); });
    pump.start(publisher());
    settle();
    const int calls = source_.next_calls();
    settle();
    EXPECT_EQ(source_.next_calls(), calls);  // no polling while idle
    source_.add("late");
    settle();
    EXPECT_EQ(order_, (std::vector<std::string>{"late"}));
}

TEST_F(PumpTest, StaleFetchIsDroppedAndRewindWaitsForIt) {
    source_.add("b1");
    TelemetryPump pump(io_.get_executor(), source_, log_, {}, 32);
    pump.start(publisher());  // next_batch() is out (answered via post)
    pump.stop();
    pump.start(publisher());  // new connection before the old answer came back
    settle();
    // The old answer (b1) was dropped, the rewind came after it, and b1 went out once.
    EXPECT_EQ(order_, (std::vector<std::string>{"b1"}));
    EXPECT_EQ(source_.rewinds(), 2);
}

TEST_F(PumpTest, StoreErrorRetriesAndPublishFailureStalls) {
    source_.fail_next("disk I/O error");
    source_.add("b1");
    TelemetryPump pump(io_.get_executor(), source_, log_, {}, 32);
    pump.start(publisher());
    ASSERT_TRUE(test::run_until(
        io_, [&] { return order_.size() == 1; }, 3s));
    EXPECT_TRUE(log_.contains("could not hand out a batch"));

    fail_publish_ = true;
    source_.add("b2");
    settle();
    EXPECT_EQ(order_.size(), 1u);
    source_.add("b3");
    settle();
    EXPECT_EQ(source_.next_calls(), 3);  // stalled: no more pulls on this connection
}

}  // namespace
}  // namespace lintel::uplink
