// linteld's promise: no accepted point is lost across a broker outage or a kill -9.
#include "daemon_fixture.hpp"

namespace lintel::test {
namespace {

// Gaps longer than `max_gap` ms in a sorted series, except one that spans `allowed_at`.
std::vector<std::pair<std::int64_t, std::int64_t>> holes(const std::vector<std::int64_t>& ts,
                                                         std::int64_t max_gap,
                                                         std::int64_t allowed_at = -1) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (std::size_t i = 1; i < ts.size(); ++i) {
        if (ts[i] - ts[i - 1] <= max_gap) continue;
        if (allowed_at >= ts[i - 1] && allowed_at <= ts[i]) continue;
        out.emplace_back(ts[i - 1], ts[i]);
    }
    return out;
}

TEST_F(DaemonTest, BrokerOutageLosesNothingAndSeqIsGapFree) {
    start_daemon();
    ASSERT_TRUE(wait_point("counter", [](const auto&) { return true; }));

    broker_->stop();
    const auto outage_start = now_ms();
    // Points keep being accepted while the link is down.
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) >= 100; }, 20s))
        << notify_->last_status();
    const auto outage_end = now_ms();
    ASSERT_TRUE(broker_->start());

    // The backlog drains, then fresh points flow again.
    ASSERT_TRUE(wait_until(
        [&] {
            const auto ts = sample_times("counter");
            return !ts.empty() && ts.back() > outage_end + 500;
        },
        30s));
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) < 50; }, 20s));

    // Samples of one point are evenly spaced (poll 100 ms) across the outage: nothing lost.
    const auto ts = sample_times("counter");
    ASSERT_LT(ts.front(), outage_start);
    EXPECT_EQ(holes(ts, 1000), (std::vector<std::pair<std::int64_t, std::int64_t>>{}));
    EXPECT_GT(ts.size(), static_cast<std::size_t>((outage_end - outage_start) / 100 / 2));

    // seq never skips: batches unacknowledged at the outage are re-sent with their own seq.
    std::set<std::uint64_t> seqs;
    for (const auto& r : received()) seqs.insert(r.seq);
    EXPECT_EQ(*seqs.rbegin() - *seqs.begin() + 1, seqs.size()) << "gap in seq";
    EXPECT_NE(notify_->last_status().find("dropped=0"), std::string::npos)
        << notify_->last_status();
}

TEST_F(DaemonTest, Kill9WhileBufferingLosesNoAcceptedPoint) {
    start_daemon();
    ASSERT_TRUE(wait_point("counter", [](const auto&) { return true; }));
    broker_->stop();
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) >= 200; }, 20s))
        << notify_->last_status();
    // Everything counted in this STATUS= line was committed before the line was sent.
    const auto accepted = queue_of(notify_->last_status());
    const auto accepted_by = now_ms();
    daemon_->kill9();
    const auto killed_at = now_ms();

    ASSERT_TRUE(broker_->start());
    start_daemon();
    ASSERT_TRUE(wait_until(
        [&] {
            const auto ts = sample_times("counter");
            return !ts.empty() && ts.back() > killed_at + 1000;
        },
        30s));

    const auto ts = sample_times("counter");
    // No hole before the kill; the one gap allowed is linteld being down between kill and restart.
    EXPECT_EQ(holes(ts, 1000, killed_at), (std::vector<std::pair<std::int64_t, std::int64_t>>{}));
    // The samples reach up to when the queue was last reported (status lines are <= 2 s apart).
    std::int64_t last_before_kill = 0;
    for (auto t : ts) {
        if (t <= killed_at) last_before_kill = t;
    }
    EXPECT_GE(last_before_kill, accepted_by - 2500);
    std::size_t points_before_kill = 0;
    for (const auto& r : received())
        points_before_kill += r.point.at("ts").get<std::int64_t>() <= killed_at ? 1U : 0U;
    EXPECT_GE(points_before_kill, accepted);
}

TEST_F(DaemonTest, CorruptBufferIsMovedAsideAndTheDaemonRuns) {
    std::ofstream(dir_->path() / "buffer.db") << std::string(8192, 'x');  // not a database
    start_daemon();
    EXPECT_TRUE(wait_log("buffer database is unusable: moved it aside", 5s)) << daemon_log();
    bool moved = false;
    for (const auto& e : fs::directory_iterator(dir_->path())) {
        moved |= e.path().filename().string().starts_with("buffer.db.corrupt-");
    }
    EXPECT_TRUE(moved) << "the unreadable file is kept for a post-mortem";
    peer_->must("set hr 20 99");
    ASSERT_TRUE(wait_point("counter", [](const auto& p) { return p.at("value") == 99; }));
}

}  // namespace
}  // namespace lintel::test
