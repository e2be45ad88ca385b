// Fault tests: SIGHUP with an invalid main config while offline with a backlog, and buffer files
// damaged beyond the whole-file case (pages in the middle of the database, the -wal file).
#include <fcntl.h>

#include "fault_fixture.hpp"

namespace lintel::test {
namespace {

// Overwrites `length` bytes at `offset` of `file` with a pattern that is no valid page or frame.
void damage(const fs::path& file, std::uintmax_t offset, std::size_t length) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f) << file;
    f.seekp(static_cast<std::streamoff>(offset));
    std::string junk(length, '\0');
    for (std::size_t i = 0; i < length; ++i) junk[i] = static_cast<char>(0xA5 ^ (i * 31));
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    ASSERT_TRUE(f.good());
}

bool has_corrupt_copy(const fs::path& dir) {
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().starts_with("buffer.db.corrupt-")) return true;
    }
    return false;
}

TEST_F(FaultTest, SighupWithInvalidMainConfigKeepsTheOldOneAndLosesNothing) {
    ASSERT_NO_FATAL_FAILURE(build_offline_backlog(2000, 2000));
    const std::string good = read_file(config_path()).value_or("");

    // Unparseable YAML: refused with the file and the line.
    std::ofstream(config_path()) << good << "uplink: [unclosed\n";
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_log("configuration reload rejected", 10s)) << daemon_log();
    EXPECT_NE(daemon_log().find(config_path().string() + ":"), std::string::npos)
        << "the refusal names the file and line\n"
        << daemon_log();
    feeder_->feed(1000, 2000);

    // Well-formed, but a value out of range: refused with the key path.
    buffer_extra_ = "  commit_batch: 0\n";
    write_main_config();
    const auto rejected = count_of(daemon_log(), "configuration reload rejected");
    daemon_->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] { return count_of(daemon_log(), "configuration reload rejected") > rejected; }, 10s));
    EXPECT_NE(daemon_log().find("buffer.commit_batch"), std::string::npos) << daemon_log();
    feeder_->feed(1000, 2000);
    ASSERT_TRUE(daemon_->running());

    // The old configuration still runs: the backlog and what came after reach the cloud.
    ASSERT_TRUE(wait_queue_at_least(4000, 20s)) << notify_->last_status();
    ASSERT_TRUE(broker_->start());
    ASSERT_TRUE(wait_values(1, 4000, 30s)) << tally().missing(1, 4000).size() << " missing";
    const auto t = tally();
    EXPECT_TRUE(t.seq_gap_free());
    report("SIGHUP with invalid lintel.yaml (syntax, range) offline", 4000, t.points,
           t.missing(1, 4000).size(), t.duplicates(),
           "both refused with file:line/key, old config kept");
}

TEST_F(FaultTest, DamagedPagesInTheMiddleOfABacklogAreMovedAsideAndTheDaemonRuns) {
    constexpr std::int64_t n = 20000;
    ASSERT_NO_FATAL_FAILURE(build_offline_backlog(n, 10000));
    daemon_->terminate();  // checkpoints: the backlog is in buffer.db itself
    const auto db = dir_->path() / "buffer.db";
    const auto size = fs::file_size(db);
    ASSERT_GT(size, 64U * 1024) << "a backlog of " << n << " points";
    damage(db, size / 2 / 4096 * 4096, 2 * 4096);  // two whole pages in the middle

    ASSERT_TRUE(broker_->start());
    start_and_subscribe();
    ASSERT_TRUE(wait_log("buffer database is unusable: moved it aside", 10s)) << daemon_log();
    EXPECT_TRUE(has_corrupt_copy(dir_->path()));
    // The daemon runs and new values flow.
    feeder_->feed(100, 1000);
    const auto last = feeder_->last();
    ASSERT_TRUE(wait_values(n + 1, last, 20s));
    const auto t = tally();
    const auto backlog = n - static_cast<std::int64_t>(t.missing(1, n).size());
    report("corrupt pages mid-file", static_cast<std::uint64_t>(last), t.points,
           t.missing(1, n).size(), t.duplicates(),
           "moved aside as buffer.db.corrupt-*, " + std::to_string(backlog) +
               " of the backlog sent; new points flow");
}

TEST_F(FaultTest, CorruptWalFileDoesNotStopTheDaemon) {
    constexpr std::int64_t n = 20000;
    ASSERT_NO_FATAL_FAILURE(build_offline_backlog(n, 10000));
    daemon_->kill9();  // the latest commits live in buffer.db-wal only
    const auto wal = dir_->path() / "buffer.db-wal";
    ASSERT_TRUE(fs::exists(wal));
    const auto size = fs::file_size(wal);
    ASSERT_GT(size, 8U * 1024);
    damage(wal, size / 2, 4096);  // frames in the middle: their checksums no longer match

    ASSERT_TRUE(broker_->start());
    start_and_subscribe();
    feeder_->feed(100, 1000);
    const auto last = feeder_->last();
    ASSERT_TRUE(wait_values(n + 1, last, 30s)) << daemon_log();
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) == 0; }, 30s));
    ASSERT_TRUE(daemon_->running());
    const auto t = tally();
    // What SQLite can still read is sent: the values that arrived form one run from 1 (the
    // WAL is replayed up to the first bad frame), nothing out of thin air.
    const auto missing = t.missing(1, n);
    if (!missing.empty()) {
        EXPECT_EQ(missing.back() - missing.front() + 1, static_cast<std::int64_t>(missing.size()));
        EXPECT_EQ(missing.back(), n) << "only the tail after the damage is gone";
    }
    EXPECT_EQ(*t.values.begin(), 1);
    // ... and the skipped commits are not silent: one error with a copy of the log.
    if (!missing.empty()) {
        EXPECT_TRUE(wait_log("buffer write-ahead log is damaged", 1s)) << daemon_log();
        bool copied = false;
        for (const auto& e : fs::directory_iterator(dir_->path()))
            copied |= e.path().filename().string().starts_with("buffer.db-wal.damaged-");
        EXPECT_TRUE(copied);
    }
    EXPECT_LE(*t.values.rbegin(), last);
    report("corrupt -wal (frames mid-file)", static_cast<std::uint64_t>(last), t.points,
           missing.size(), t.duplicates(),
           "replayed up to the first bad frame; the skipped commits logged, log copied aside");
}

}  // namespace
}  // namespace lintel::test
