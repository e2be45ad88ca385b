// Fault test: a device flood (>= 10k points/s) while the uplink is offline: the byte cap holds,
// every refused or dropped point is counted, the loop stays responsive and RSS bounded, and the
// kept backlog drains gap-free when the broker returns.
#include "fault_fixture.hpp"

namespace lintel::test {
namespace {

TEST_F(FaultTest, DeviceFloodOfflineHonoursTheCapAndCountsEveryDrop) {
    buffer_extra_ = "  max_bytes: 1MiB\n";
    write_main_config();
    start_and_subscribe();
    broker_->stop();

    // Sample what the daemon counted (queue + dropped, from STATUS=) to measure the rate it
    // really saw, with watchdog pings and RSS, while the feeder floods.
    const auto watchdogs_before = notify_->count("WATCHDOG=1");
    constexpr double k_rate = 15000;  // asked of the feeder; what linteld sees is measured
    constexpr int k_seconds = 6;
    feeder_->stream_start(k_rate);
    struct Sample {
        std::chrono::steady_clock::time_point at;
        std::uint64_t seen;
    };
    std::vector<Sample> samples;
    std::uint64_t rss_max = 0;
    std::string last_status;
    const auto flood_end = std::chrono::steady_clock::now() + std::chrono::seconds(k_seconds);
    while (std::chrono::steady_clock::now() < flood_end) {
        const auto s = notify_->last_status();
        if (s != last_status) {
            last_status = s;
            samples.push_back({std::chrono::steady_clock::now(), queue_of(s) + dropped_of(s)});
        }
        rss_max = std::max(rss_max, rss_kib());
        std::this_thread::sleep_for(20ms);  // sampling period
    }
    feeder_->stream_stop();
    const auto offered = static_cast<std::uint64_t>(feeder_->last());
    const auto watchdogs = notify_->count("WATCHDOG=1") - watchdogs_before;
    ASSERT_TRUE(feeder_->finish(20s));

    // Everything offered reached the daemon and was either accepted or counted as dropped.
    ASSERT_TRUE(wait_until(
        [&] {
            const auto s = notify_->last_status();
            return queue_of(s) + dropped_of(s) >= offered;
        },
        60s, 50ms))
        << notify_->last_status() << " offered " << offered;
    const auto status = notify_->last_status();
    const auto kept = queue_of(status);
    const auto dropped = dropped_of(status);
    EXPECT_EQ(kept + dropped, offered) << status;
    EXPECT_GT(dropped, 0U) << "1 MiB holds about 26k points";
    EXPECT_LE(kept * 40, 1024U * 1024U) << "40 counted bytes per row (docs/buffer.md)";
    EXPECT_GE(watchdogs, static_cast<std::size_t>(k_seconds)) << "WATCHDOG=1 every 0.5 s";
#ifndef __SANITIZE_ADDRESS__
    // Under ASan the RSS is its shadow memory and quarantine (about 576 MiB here), not linteld's.
    EXPECT_LT(rss_max, 64U * 1024U) << "RSS KiB";
#endif
    ASSERT_TRUE(daemon_->running());

    double daemon_rate = 0;
    if (samples.size() >= 3) {  // first and last full intervals of the flood
        const auto& a = samples[1];
        const auto& b = samples.back();
        const std::chrono::duration<double> dt = b.at - a.at;
        daemon_rate = double(b.seen - a.seen) / dt.count();
    }
#ifndef __SANITIZE_ADDRESS__
    EXPECT_GE(daemon_rate, 10000.0) << "the flood must really reach 10k points/s";
#else
    // An ASan build of linteld ingests at about 10k points/s here, right at the bar: the suite's
    // sanitized run checks the accounting under a flood; the 10k figure is the plain build's
    // (tests/integration/faults/run.sh).
    EXPECT_GE(daemon_rate, 5000.0) << "a flood, even under ASan";
#endif

    ASSERT_TRUE(broker_->start());
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) == 0; }, 60s, 100ms))
        << notify_->last_status();
    const auto t = tally();
    // Oldest first are dropped: the kept ones are the newest, one run up to the last value.
    const auto lost =
        t.missing(static_cast<std::int64_t>(offered - kept + 1), static_cast<std::int64_t>(offered))
            .size();
    EXPECT_EQ(lost, 0U);
    EXPECT_TRUE(t.seq_gap_free());
    report("device flood offline, max_bytes 1MiB", offered - dropped, t.points, lost,
           t.duplicates(),
           "offered " + std::to_string(offered) + " at " +
               std::to_string(static_cast<int>(daemon_rate)) + "/s as linteld saw it; dropped " +
               std::to_string(dropped) + " (counted, oldest first); RSS max " +
               std::to_string(rss_max / 1024) + " MiB; " + std::to_string(watchdogs) +
               " watchdog pings");
}

}  // namespace
}  // namespace lintel::test
