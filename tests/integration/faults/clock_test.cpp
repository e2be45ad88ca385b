// Fault test: the wall clock steps forward and back by an hour while linteld runs and while it
// is offline (libfaketime with a timestamp file re-read at runtime; the monotonic clock is real).
#include <map>

#include "fault_fixture.hpp"

namespace lintel::test {
namespace {

const fs::path k_libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

class ClockTest : public FaultTest {
protected:
    void step(const std::string& offset) {
        std::ofstream(dir_->path() / "faketime.rc") << offset << "\n";
        // libfaketime re-reads the file once a second; then the loop must keep ticking.
        const auto before = notify_->count("WATCHDOG=1");
        ASSERT_TRUE(wait_until([&] { return notify_->count("WATCHDOG=1") >= before + 6; }, 10s))
            << "no watchdog after the step to " << offset;
        steps_.push_back(offset);
    }
    std::vector<std::string> steps_;
};

TEST_F(ClockTest, StepsForwardAndBackLoseNothingAndTimersKeepFiring) {
    if (!fs::exists(k_libfaketime)) GTEST_SKIP() << "libfaketime missing: apt-get install faketime";
    // The fake clock never goes below the real one: the test PKI's certificates start now.
    std::ofstream(dir_->path() / "faketime.rc") << "+1h\n";
    daemon_env_ = {{"LD_PRELOAD", k_libfaketime.string()},
                   {"FAKETIME_TIMESTAMP_FILE", (dir_->path() / "faketime.rc").string()},
                   {"FAKETIME_CACHE_DURATION", "1"},
                   {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
                   // In a sanitized build the preloaded libfaketime comes before ASan's runtime,
                   // which ASan refuses by default; the order is harmless here.
                   {"ASAN_OPTIONS", "verify_asan_link_order=0"}};
    uplink_extra_ = "  batch:\n    max_points: 50\n";
    write_main_config();
    start_and_subscribe();
    feeder_->stream_start(200);
    ASSERT_TRUE(wait_until([&] { return !tally().values.empty(); }, 10s));
    step("+2h");  // forward
    step("+1h");  // back, while batches of 50 points (a quarter second) keep being cut
    step("+0");   // back again
    const auto statuses = observer_->messages_on(status_topic()).size();
    broker_->stop();
    step("+1h");  // offline: forward
    step("+0");   // offline: back
    ASSERT_TRUE(broker_->start());
    feeder_->stream_stop();
    const auto last = feeder_->last();
    ASSERT_TRUE(feeder_->finish(10s));
    ASSERT_TRUE(wait_values(1, last, 60s)) << tally().missing(1, last).size() << " missing";
    EXPECT_TRUE(wait_until(
        [&] { return observer_->messages_on(status_topic()).size() > statuses + 2; }, 10s))
        << "the status timer keeps firing";

    // Ordered by seq, the values come in the order they were accepted, whatever their ts.
    std::map<std::uint64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> by_seq;
    for (const auto& m : observer_->messages_on(telemetry_topic())) {
        const auto doc = nlohmann::json::parse(m.payload);
        auto& points = by_seq[doc.at("seq").get<std::uint64_t>()];
        points.clear();  // a re-sent seq carries the same points
        for (const auto& p : doc.at("points")) {
            if (p.at("device") == "sensor" && p.at("quality") == "good")
                points.emplace_back(p.at("value").get<std::int64_t>(),
                                    p.at("ts").get<std::int64_t>());
        }
    }
    std::int64_t prev_value = 0;
    std::int64_t prev_ts = 0;
    std::size_t ts_steps_back = 0;
    std::size_t out_of_order = 0;
    for (const auto& [seq, points] : by_seq) {
        for (const auto& [value, ts] : points) {
            out_of_order += value <= prev_value ? 1U : 0U;
            ts_steps_back += ts < prev_ts - 30 * 60 * 1000 ? 1U : 0U;
            prev_value = value;
            prev_ts = ts;
        }
    }
    EXPECT_EQ(out_of_order, 0U) << "values by seq are in acceptance order";
    EXPECT_GE(ts_steps_back, 2U) << "the clock really stepped back (seen in ts)";
    const auto t = tally();
    EXPECT_TRUE(t.seq_gap_free());
    report(
        "clock steps +1h/-1h/-1h, offline +1h/-1h", static_cast<std::uint64_t>(last), t.points,
        t.missing(1, last).size(), t.duplicates(),
        std::to_string(ts_steps_back) + " backward ts steps seen; order by seq kept; timers fired");
}

}  // namespace
}  // namespace lintel::test
