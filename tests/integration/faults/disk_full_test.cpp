// Fault tests: the buffer on a small tmpfs in a private mount namespace (root): (a) the byte cap
// below the file system's size, (b) the file system full before the cap (a filler file).
#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "fault_fixture.hpp"

namespace lintel::test {
namespace {

class DiskFullTest : public FaultTest {
protected:
    // A tmpfs of `size` under the test's directory, visible to this process and its children only
    // (each ctest test is its own process, so the namespace ends with it).
    void mount_tmpfs(const std::string& size) {
        ASSERT_EQ(::unshare(CLONE_NEWNS), 0) << std::strerror(errno);
        ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0)
            << std::strerror(errno);
        buffer_dir_ = dir_->path() / "tmpfs";
        fs::create_directories(buffer_dir_);
        const std::string options = "size=" + size + ",mode=0700";
        ASSERT_EQ(::mount("tmpfs", buffer_dir_.c_str(), "tmpfs", 0, options.c_str()), 0)
            << std::strerror(errno);
    }
    void TearDown() override {
        FaultTest::TearDown();  // linteld is gone before the mount goes
        if (!buffer_dir_.empty()) ::umount2(buffer_dir_.c_str(), MNT_DETACH);
    }
};

TEST_F(DiskFullTest, ByteCapBelowTheFileSystemIsHonouredAndDropsAreCounted) {
    if (!is_root()) GTEST_SKIP() << "needs root for a private mount namespace and a tmpfs";
    mount_tmpfs("16m");
    buffer_extra_ = "  max_bytes: 1MiB\n";
    write_main_config();
    start_and_subscribe();
    broker_->stop();
    constexpr std::int64_t n = 60000;
    feeder_->feed(n, 10000);
    ASSERT_TRUE(wait_until(
        [&] {
            const auto s = notify_->last_status();
            return queue_of(s) + dropped_of(s) >= n;
        },
        30s, 50ms))
        << notify_->last_status();
    const auto status = notify_->last_status();
    const auto kept = queue_of(status);
    EXPECT_EQ(kept + dropped_of(status), static_cast<std::uint64_t>(n)) << status;
    EXPECT_LE(kept * 40, 1024U * 1024U) << status;
    EXPECT_GT(dropped_of(status), 0U);
    EXPECT_LT(fs::file_size(buffer_dir_ / "buffer.db"), 4U * 1024U * 1024U);
    ASSERT_TRUE(daemon_->running());

    ASSERT_TRUE(broker_->start());
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) == 0; }, 60s, 100ms));
    const auto t = tally();
    const auto lost = t.missing(n - static_cast<std::int64_t>(kept) + 1, n).size();
    EXPECT_EQ(lost, 0U);
    EXPECT_TRUE(t.seq_gap_free());
    report("disk: max_bytes 1MiB on a 16 MiB tmpfs", kept, t.points, lost, t.duplicates(),
           "cap honoured, " + std::to_string(dropped_of(status)) + " dropped and counted");
}

TEST_F(DiskFullTest, FileSystemFullBeforeTheCapIsSurvivedAndRecovers) {
    if (!is_root()) GTEST_SKIP() << "needs root for a private mount namespace and a tmpfs";
    mount_tmpfs("8m");
    write_main_config();  // max_bytes 256MiB: far above the file system
    start_and_subscribe();
    broker_->stop();
    feeder_->feed(2000, 5000);
    ASSERT_TRUE(wait_queue_at_least(2000, 20s));
    // Leave about 256 KiB: the next few thousand points do not fit.
    {
        std::ofstream filler(buffer_dir_ / "filler", std::ios::binary);
        const std::string block(64 * 1024, 'f');
        while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
        }
    }
    fs::resize_file(buffer_dir_ / "filler", fs::file_size(buffer_dir_ / "filler") - 256 * 1024);

    const auto watchdogs_before = notify_->count("WATCHDOG=1");
    constexpr std::int64_t n = 40000;
    feeder_->feed(n - 2000, 5000);  // about 8 s
    // Up to k_max_pending points wait in memory for the disk (retried every second, not in
    // queue= yet); everything beyond was refused and counted in dropped= (ingest_overflow).
    constexpr std::uint64_t k_max_pending = 10000;  // max(10000, 2 x commit_batch), buffer.md
    ASSERT_TRUE(wait_until(
        [&] {
            const auto s = notify_->last_status();
            return queue_of(s) + dropped_of(s) + k_max_pending >= n;
        },
        30s, 50ms))
        << notify_->last_status();
    const auto status = notify_->last_status();
    const auto log = daemon_log();
    EXPECT_GT(dropped_of(status), 0U) << status;
    EXPECT_GT(count_of(log, "cannot commit telemetry to the buffer"), 0U) << log;
    // Logged once per episode (at most once a minute), not once per point or per retry.
    EXPECT_LE(count_of(log, "cannot commit telemetry to the buffer"), 2U);
    EXPECT_LE(count_of(log, "cannot read the next telemetry batch"), 2U);
    EXPECT_GE(notify_->count("WATCHDOG=1") - watchdogs_before, 8U) << "the loop kept running";
    ASSERT_TRUE(daemon_->running());

    // Space returns: ingest resumes, the kept backlog drains.
    const auto queued_while_full = queue_of(notify_->last_status());
    fs::remove(buffer_dir_ / "filler");
    // The next retry (once a second) commits the points kept in memory ...
    ASSERT_TRUE(
        wait_until([&] { return queue_of(notify_->last_status()) > queued_while_full; }, 10s, 50ms))
        << notify_->last_status();
    // ... and new points are accepted again.
    feeder_->feed(1000, 5000);
    const auto last = feeder_->last();
    ASSERT_TRUE(broker_->start());
    ASSERT_TRUE(wait_values(last - 999, last, 30s))
        << "ingest resumed after the space returned: " << notify_->last_status() << "\n"
        << latest_status().value_or(nlohmann::json()).dump();
    ASSERT_TRUE(wait_until([&] { return queue_of(notify_->last_status()) == 0; }, 60s, 100ms))
        << notify_->last_status();
    const auto end = notify_->last_status();
    const auto t = tally();
    // accepted + dropped = offered, and everything accepted and not dropped arrived.
    const auto dropped = dropped_of(end);
    const auto lost = static_cast<std::uint64_t>(last) - dropped - t.values.size();
    EXPECT_EQ(t.values.size() + dropped, static_cast<std::uint64_t>(last)) << end;
    EXPECT_TRUE(t.seq_gap_free());
    report("disk: tmpfs full before the cap (filler), then freed",
           static_cast<std::uint64_t>(last) - dropped, t.points, lost, t.duplicates(),
           std::to_string(dropped) + " refused while full (ingest_overflow), " +
               std::to_string(count_of(daemon_log(), "cannot commit telemetry")) +
               " log line(s); recovered");
}

}  // namespace
}  // namespace lintel::test
